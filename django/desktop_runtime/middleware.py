"""Request guards of the shell-to-Django contract.

Both come first in MIDDLEWARE and answer with a short plain-text error, so a
request that fails them never reaches a view, the database or a template.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.urls import reverse

from .tokens import TOKEN_COOKIE, TOKEN_HEADER, expected_token, token_matches


class DesktopHostMiddleware:
    """Answer 400 unless the Host header names the loopback origin and our port.

    A page on another site can point a hostname it controls at 127.0.0.1 (DNS
    rebinding); its requests then carry that hostname, and end here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        port = settings.DESKTOP_DJANGO_PORT
        if port:
            host = request.META.get("HTTP_HOST", "").lower()
            if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
                return HttpResponseBadRequest(
                    "Bad Request: unexpected Host header.\n",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


class DesktopTokenMiddleware:
    """Answer 403 unless the request carries this session's shell token.

    Electron sends it as a header; shells that cannot add headers visit the
    bootstrap URL once and then send it as a cookie. Without a token in the
    environment (the first tutorial chapters) every request passes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = expected_token()
        if token is None or self.carries_token(request, token):
            return self.get_response(request)
        # The bootstrap view checks the token in its query string itself.
        if request.path == reverse("desktop_runtime:bootstrap"):
            return self.get_response(request)
        return forbidden()

    @staticmethod
    def carries_token(request, token: str) -> bool:
        return token_matches(request.headers.get(TOKEN_HEADER), token) or token_matches(
            request.COOKIES.get(TOKEN_COOKIE), token
        )


def forbidden() -> HttpResponse:
    return HttpResponseForbidden(
        "Forbidden: this request does not carry the desktop session token.\n",
        content_type="text/plain; charset=utf-8",
    )
