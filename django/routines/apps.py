"""App configuration of Stable Routines; it names the worker the shell must start."""

from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"
    verbose_name = "Stable Routines"
    # desktop_serve lists this in its DESKTOP_DJANGO_SERVING line, and the
    # shell runs `manage.py run_routines` as a second supervised process.
    desktop_worker_command = "run_routines"
