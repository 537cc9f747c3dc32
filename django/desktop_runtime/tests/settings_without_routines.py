"""Development settings with the optional routines app removed."""

from desktop_django_starter.settings.dev import *

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "routines"]
