"""App configuration of the desktop runtime."""

from django.apps import AppConfig


class DesktopRuntimeConfig(AppConfig):
    name = "desktop_runtime"
    verbose_name = "Desktop runtime"
