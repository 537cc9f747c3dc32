"""URLs of the runtime-only project: the contract's, then one page standing
in for the project's own."""

from django.http import HttpResponse
from django.urls import include, path


def home(request):
    return HttpResponse("the project's home page")


urlpatterns = [path("", include("desktop_runtime.urls")), path("", home)]
