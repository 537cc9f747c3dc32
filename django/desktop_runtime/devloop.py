"""`desktop_serve --reload` survives a typo, the way runserver does.

Django's command line runs django.setup() before any command, and a typo in
settings, a model or an app's setup would end the process there. runserver
alone is spared: Django starts its file watcher first and only then imports
the project, through autoreload.check_errors, which remembers the broken file
so that saving it restarts the server. manage.py sends `desktop_serve
--reload` here for the same treatment, and the URLconf is imported at start
so that its errors are caught the same way.

While the project is broken the port still answers, with the error
(errorpage.py): a 500 page for every path (503 for /health/), guarded by the
shell token like the real app. desktop_serve prints its SERVING line for it too (with "error"
set), so a shell's window reloads and shows the error; after the fix the
server restarts, prints SERVING again, and the window reloads into the app.
"""

import os
import sys
import traceback
from collections import defaultdict

from django.utils import autoreload

from .lifetime import exit_when_stdin_closes

# Only what the reloader's first process needs: it starts the serving child
# and waits, and the child cannot start before it has. Django's command-line
# module and the error page (an HTTP server) load where they are used.


def wants_reloader(argv: list[str]) -> bool:
    return argv[1:2] == ["desktop_serve"] and "--reload" in argv[2:]


# region reloader
def execute_from_command_line(argv: list[str]) -> None:
    """manage.py's entry point: Django's, but `desktop_serve --reload` starts the reloader first."""
    if wants_reloader(argv):
        apply_default_options(argv[2:])
        run_with_reloader()
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)


def apply_default_options(args: list[str]) -> None:
    """--settings and --pythonpath, which Django's command line applies before any command."""
    if not any(arg.startswith(("--settings", "--pythonpath")) for arg in args):
        return
    from django.core.management.base import CommandParser, handle_default_options

    parser = CommandParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    options, _ = parser.parse_known_args(args)
    handle_default_options(options)


def run_with_reloader() -> None:
    """The reloader parent restarts its child after each edit; the child serves."""
    if os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true":
        # Before Django's setup, which may fail and leave only the file watcher running.
        exit_when_stdin_closes()
    autoreload.run_with_reloader(serve_or_show_error)


def serve_or_show_error() -> None:
    try:
        autoreload.check_errors(set_up_and_serve)()
    except Exception as error:
        from .errorpage import show_error
        from .startup import resume_gc

        # manage.py paused the collector until serving; the error page serves instead.
        resume_gc()
        traceback.print_exc()
        summary = " ".join(f"{type(error).__name__}: {error}".split())
        print(
            f"desktop_serve: Django could not start: {summary}\n"
            "desktop_serve: fix it and save the file; the server restarts by itself.",
            file=sys.stderr,
            flush=True,
        )
        forget_broken_apps()
        show_error(summary, traceback.format_exc())


def set_up_and_serve() -> None:
    import django
    from django.core.management.base import OutputWrapper
    from django.urls import get_resolver

    from .serving import DesktopServer

    django.setup()
    get_resolver().url_patterns  # noqa: B018 -- imports the URLconf now
    server = DesktopServer(OutputWrapper(sys.stdout), OutputWrapper(sys.stderr))
    server.serve(*server.address_or_exit())


# endregion reloader


def forget_broken_apps() -> None:
    """Leave empty, ready apps (and default settings if the project's are broken), as
    runserver does, so that the file watcher, which reads both, can run."""
    from django.apps import apps
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    apps.all_models = defaultdict(dict)
    apps.app_configs = {}
    apps.apps_ready = apps.models_ready = apps.ready = True
