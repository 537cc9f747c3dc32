"""Request guards of the shell-to-Django contract.

Both come first in MIDDLEWARE, so a request that fails them never reaches a
view, a session or the database. The 400 is one plain-text line; the 403 is a
small self-contained page (a person in a browser is the usual one to see it).
"""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.template.loader import render_to_string
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
            response = self.get_response(request)
            if response.status_code == 403:
                # A refused bootstrap sets no cookie at all, whatever session,
                # CSRF or login middleware the project runs after this one.
                response.cookies.clear()
            return response
        return forbidden()

    @staticmethod
    def carries_token(request, token: str) -> bool:
        return token_matches(request.headers.get(TOKEN_HEADER), token) or token_matches(
            request.COOKIES.get(TOKEN_COOKIE), token
        )


def forbidden() -> HttpResponse:
    """The 403 page: why it appears, in the app's colours, without naming what was missing.

    Rendered without a request, so no context processor runs and no cookie is set.
    """
    return HttpResponseForbidden(
        render_to_string("desktop_runtime/forbidden.html"),
        content_type="text/html; charset=utf-8",
    )


class DesktopAutoLoginMiddleware:
    """Log the one local user in, for projects whose pages need a login.

    A desktop app has one user, who already proved who they are by starting
    it; a login page would only be in the way. This logs that user in, as the
    account named by DESKTOP_AUTO_LOGIN_USERNAME (default "desktop", created
    on first use without a usable password; with DESKTOP_AUTO_LOGIN_SUPERUSER
    = True it is staff and superuser, so it reaches Django's admin), but only:

    - when this session has a token (desktop settings with a shell): without
      one, in the project's own settings, its tests or runserver, Django drops
      this middleware at start and login works as the project wrote it;
    - for a request that carried the token in the header or the bootstrap
      cookie, never for the bootstrap URL itself, so a refused bootstrap
      creates no session and sets no cookie.

    Put it after django.contrib.auth's AuthenticationMiddleware, in desktop
    settings only.
    """

    def __init__(self, get_response):
        if expected_token() is None:
            raise MiddlewareNotUsed("no desktop session token: nobody is logged in automatically")
        self.get_response = get_response

    def __call__(self, request):
        token = expected_token()
        if (
            token is not None
            and not request.user.is_authenticated
            and request.path != reverse("desktop_runtime:bootstrap")
            and DesktopTokenMiddleware.carries_token(request, token)
        ):
            from django.contrib.auth import login

            login(request, desktop_user(), backend="django.contrib.auth.backends.ModelBackend")
        return self.get_response(request)


def desktop_user():
    """The local user the desktop app logs in; made on first use, with no usable password."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    username = getattr(settings, "DESKTOP_AUTO_LOGIN_USERNAME", "desktop")
    user, created = user_model._default_manager.get_or_create(
        **{user_model.USERNAME_FIELD: username}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if getattr(settings, "DESKTOP_AUTO_LOGIN_SUPERUSER", False) and not user.is_superuser:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user
