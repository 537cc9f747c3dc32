"""The two pages the app shows itself: "starting" while Django loads, and why it failed."""

from html import escape

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; color: #2b2340; background: #fbf8ff; }
h1 { font-size: 1.4rem; }
pre { background: #fff; border: 1px solid #ddd3f0; padding: 0.75rem; white-space: pre-wrap; }
"""


def starting_page() -> str:
    return _page("Starting", "<h1>Flying Stable is starting…</h1><p>Loading Django.</p>")


def failure_page(summary: str, log_path: str, log_tail: list[str]) -> str:
    lines = escape("\n".join(log_tail)) or "(the log is empty)"
    body = (
        "<h1>Flying Stable could not start</h1>"
        f'<p id="summary">{escape(summary)}</p>'
        f"<p>The full log is in <code>{escape(log_path)}</code>. Its last lines:</p>"
        f'<pre id="log">{lines}</pre>'
        "<p>Fix the cause (for a damaged database, move it out of the app data folder; "
        "File, Open App Data Folder shows where it is), then start the app again.</p>"
    )
    return _page("Could not start", body)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
