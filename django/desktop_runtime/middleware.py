"""Request guards of the shell-to-Django contract.

Both come first in MIDDLEWARE, so a request that fails them never reaches a
view, a session or the database. The 400 is one plain-text line; the 403 is a
small self-contained page (a person in a browser is the usual one to see it).
Their answers skip the security middleware that comes after them, so they carry
its headers themselves (`guarded()`).
"""

import logging
import threading

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.template.loader import render_to_string
from django.urls import reverse

from .tokens import TOKEN_COOKIE, TOKEN_HEADER, carries_token, expected_token, token_matches

logger = logging.getLogger(__name__)

# The guards' own answers: the 403 page's CSS is inline and it loads nothing;
# neither answer may be framed or sniffed as anything but what it says it is.
GUARD_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def guarded(response: HttpResponse) -> HttpResponse:
    """Give a guard's answer the security headers later middleware would have added."""
    for name, value in GUARD_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
                return guarded(
                    HttpResponseBadRequest(
                        "Bad Request: unexpected Host header.\n",
                        content_type="text/plain; charset=utf-8",
                    )
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
        if request.path == reverse("desktop_runtime:bootstrap"):
            return self.bootstrap(request, token)
        if token is None or self.carries_token(request, token):
            return self.get_response(request)
        return forbidden()

    def bootstrap(self, request, token: str | None):
        """The bootstrap URL goes by the token in its query string alone.

        Without it, the answer is decided here, whatever the method, before any
        middleware after this one or the view runs: nothing else may set a cookie.
        """
        if token is not None and not token_matches(request.GET.get("token"), token):
            return forbidden()
        response = self.get_response(request)
        if response.status_code == 403:
            # The view refused the `next` path: no cookie either, whatever
            # session, CSRF or login middleware the project runs after this one.
            response.cookies.clear()
        return response

    @staticmethod
    def carries_token(request, token: str) -> bool:
        return carries_token(
            request.headers.get(TOKEN_HEADER), request.COOKIES.get(TOKEN_COOKIE), token
        )


def forbidden() -> HttpResponse:
    """The 403 page: why it appears, in the app's colours, without naming what was missing.

    Rendered without a request, so no context processor runs and no cookie is set.
    """
    return guarded(
        HttpResponseForbidden(
            render_to_string("desktop_runtime/forbidden.html"),
            content_type="text/html; charset=utf-8",
        )
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
      cookie, never on the contract's own views (/health/, the splash, the
      bootstrap URL): the shell's readiness polls log nobody in, and a refused
      bootstrap creates no session and sets no cookie;
    - once per desktop session: later requests without the session cookie
      (a client without a cookie jar) share the session of the first login;
    - never as an existing account that has a usable password (a real user
      of that name in an imported database): it logs a warning instead, and
      the project's own login page stays.

    Put it after django.contrib.auth's AuthenticationMiddleware, in desktop
    settings only.
    """

    def __init__(self, get_response):
        if expected_token() is None:
            raise MiddlewareNotUsed("no desktop session token: nobody is logged in automatically")
        self.get_response = get_response
        # (token, session key) of this desktop session's login.
        self.login_session = None
        self.lock = threading.Lock()

    def __call__(self, request):
        token = expected_token()
        if (
            token is not None
            and request.path not in contract_paths()
            and DesktopTokenMiddleware.carries_token(request, token)
            and not request.user.is_authenticated
        ):
            self.log_in(request, token)
        return self.get_response(request)

    def log_in(self, request, token: str) -> None:
        from django.contrib.auth import SESSION_KEY, get_user, login

        with self.lock:
            if self.login_session and self.login_session[0] == token:
                key = self.login_session[1]
                if key is None:
                    return  # refused once this session (see desktop_user); said so in the log
                # The session of this desktop session's login, if it still holds it.
                session = request.session.__class__(key)
                if session.get(SESSION_KEY) is not None:
                    request.session = session
                    request.user = get_user(request)
                    if request.user.is_authenticated:
                        return
            user = desktop_user()
            if user is None:
                self.login_session = (token, None)
                return
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # Saved now, so a request waiting on the lock finds it.
            request.session.save()
            self.login_session = (token, request.session.session_key)


def auto_login_enabled() -> bool:
    """True when this session logs the local user in by itself (a token, and the middleware on)."""
    dotted_path = f"{__name__}.{DesktopAutoLoginMiddleware.__name__}"
    return expected_token() is not None and dotted_path in settings.MIDDLEWARE


def contract_paths() -> set[str]:
    """The paths of the contract's own views, which the shell calls and nobody logs in on."""
    return {reverse(f"desktop_runtime:{name}") for name in ("health", "splash", "bootstrap")}


def desktop_user():
    """The local user the desktop app logs in, made on first use with no usable password.

    None, with a warning in the log, if an account of that name exists and
    has a usable password: it belongs to someone, and is not taken over.
    """
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    username = getattr(settings, "DESKTOP_AUTO_LOGIN_USERNAME", "desktop")
    user, created = user_model._default_manager.get_or_create(
        **{user_model.USERNAME_FIELD: username}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.has_usable_password():
        logger.warning(
            "auto-login: the account %r exists and has a password, so nobody is logged in "
            "automatically; set DESKTOP_AUTO_LOGIN_USERNAME to a name no account uses",
            username,
        )
        return None
    if getattr(settings, "DESKTOP_AUTO_LOGIN_SUPERUSER", False) and not user.is_superuser:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user
