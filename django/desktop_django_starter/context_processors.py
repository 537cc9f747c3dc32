"""Template context shared by every page of the Flying Stable layout."""

from django.apps import apps


def navigation(request):
    """Show the Stable Routines link only while the routines app is installed."""
    return {"routines_installed": apps.is_installed("routines")}
