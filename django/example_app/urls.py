"""URLs of My Ponies. The pony list is the home page of the app."""

from django.urls import path

from . import views

app_name = "example_app"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("ponies/new/", views.item_create, name="item_create"),
    path("ponies/release-all/", views.release_all, name="release_all"),
    path("ponies/<int:pk>/", views.item_detail, name="item_detail"),
    path("ponies/<int:pk>/delete/", views.item_delete, name="item_delete"),
]
