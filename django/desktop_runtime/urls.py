"""URLs of the desktop runtime contract."""

from django.urls import path

from . import views

app_name = "desktop_runtime"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("splash/", views.splash, name="splash"),
    path("desktop-auth/bootstrap/", views.bootstrap, name="bootstrap"),
]
