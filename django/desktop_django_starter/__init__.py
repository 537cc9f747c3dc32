"""The desktop-django-starter Django project: settings, URLs and the shared layout."""
