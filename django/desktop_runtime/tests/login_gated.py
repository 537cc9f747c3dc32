"""URLs and a middleware for settings_login_gated: a gated page and a login stand-in."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


class CookieEverywhereMiddleware:
    """Sets a cookie on every response, as many projects' middleware does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.set_cookie("everywhere", "1")
        return response


@login_required
def gated(request):
    return HttpResponse(f"hello {request.user.get_username()}")


def login_page(request):
    return HttpResponse("please log in")


urlpatterns = [
    path("", include("desktop_runtime.urls")),
    path("gated/", gated),
    path("login/", login_page),
]
