#!/usr/bin/env python
"""Django's command-line entry point for the desktop-django-starter backend.

Works from any working directory: Python puts this file's folder on sys.path,
so the project and its apps import the same way wherever the command runs.
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desktop_django_starter.settings.dev")
    # Before Django loads: a shell that dies during a slow start (a cold
    # disk, a virus scanner) is not outlived by its backend for seconds.
    from desktop_runtime.lifetime import watch_stdin_before_django_loads

    watch_stdin_before_django_loads(sys.argv)
    # desktop_serve starts faster with Python's cycle collector paused until it serves.
    from desktop_runtime.startup import pause_gc_until_serving

    pause_gc_until_serving(sys.argv)
    # Django's, except that `desktop_serve --reload` survives a typo like runserver.
    from desktop_runtime.devloop import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
