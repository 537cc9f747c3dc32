"""Where the window may go: Django's origin only; other web pages open in the system browser.

`decide()` is the rule, in plain Python; `install()` puts it in front of the
web view where Toga lets the app decide:

- GTK (WebKitGTK): Toga 0.5 has no navigation hook there, so the app connects
  to WebKitGTK's own `decide-policy` signal on the native view. It sees every
  navigation, redirects included, and every link that asks for a new window;
  its `create` signal sees window.open() (which WebKitGTK already blocks
  unless a user gesture started it); neither makes a window.
- Windows (WebView2) and macOS (WKWebView): Toga 0.5.3 and later call the
  widget's `on_navigation_starting` handler, which can refuse a navigation.
  It is set when the installed Toga has it. Toga offers no hook for new-window
  requests there; what the native view does with them is its own default.
"""

import webbrowser
from urllib.parse import urlsplit

ALLOW = "allow"
BROWSER = "browser"
REFUSE = "refuse"
# The starting page and the failure page are HTML the app loads itself.
LOCAL_PAGES = ("about:blank",)


def same_origin(url: str, origin: str) -> bool:
    """True when `url` is on exactly `origin` (scheme, host and port)."""
    wanted, got = urlsplit(origin), urlsplit(url)
    return (got.scheme, got.hostname, got.port) == (wanted.scheme, wanted.hostname, wanted.port)


def decide(url: str, origin: str | None, new_window: bool = False) -> str:
    """ALLOW, BROWSER (refused here, opened in the system browser) or REFUSE."""
    if not new_window and (url in LOCAL_PAGES or (origin and same_origin(url, origin))):
        return ALLOW
    if urlsplit(url).scheme in ("http", "https") and not (origin and same_origin(url, origin)):
        return BROWSER
    return REFUSE


def install(webview, current_origin, open_in_browser=webbrowser.open, on_refused=None) -> str:
    """Guard `webview`; `current_origin()` gives Django's origin once known. Returns the hook."""

    def judge(url: str, new_window: bool) -> bool:
        verdict = decide(url, current_origin(), new_window)
        if verdict == BROWSER:
            open_in_browser(url)
        if verdict != ALLOW and on_refused:
            on_refused(url, verdict)
        return verdict == ALLOW

    if type(webview._impl).__module__.startswith("toga_gtk."):
        return _install_webkitgtk(webview._impl.native, judge)
    if hasattr(webview, "on_navigation_starting"):
        webview.on_navigation_starting = lambda widget, url, **kwargs: judge(url, False)
        return "on_navigation_starting"
    return "none"


def _install_webkitgtk(native, judge) -> str:
    from gi.repository import WebKit2

    navigation = WebKit2.PolicyDecisionType.NAVIGATION_ACTION
    new_window = WebKit2.PolicyDecisionType.NEW_WINDOW_ACTION

    def on_decide_policy(view, decision, decision_type):
        if decision_type not in (navigation, new_window):
            return False  # responses (downloads...): WebKitGTK's default
        url = decision.get_navigation_action().get_request().get_uri()
        if judge(url, decision_type == new_window):
            return False
        decision.ignore()
        return True

    def on_create(view, navigation_action):
        # window.open() (when WebKitGTK's popup blocking lets it through): never a new window.
        judge(navigation_action.get_request().get_uri(), True)
        return None

    native.connect("decide-policy", on_decide_policy)
    native.connect("create", on_create)
    return "decide-policy"
