"""URLs of Stable Routines, included under /routines/ only while the app is installed."""

from django.urls import path

from . import views

app_name = "routines"

urlpatterns = [
    path("", views.routine_list, name="routine_list"),
    path("start/", views.routine_start, name="routine_start"),
    path("clear/", views.routine_clear, name="routine_clear"),
    path("status/", views.routine_status, name="routine_status"),
]
