"""Views of the desktop runtime: readiness, splash screen and token bootstrap."""

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

try:
    from django.views.decorators.csp import csp_override
except (
    ImportError
):  # Django before 6.0 sends no CSP of its own; the splash's meta tag is its policy.

    def csp_override(policy):
        return lambda view: view


from .middleware import forbidden
from .tokens import TOKEN_COOKIE, expected_token, token_matches

# The contract's views are the shell's, guarded by its token alone. Marked
# login_not_required so a project behind Django's LoginRequiredMiddleware
# (5.1+) still answers /health/ (or the shell never opens its window), the
# splash and the bootstrap URL, whose answer the auto-login leaves alone.


@login_not_required
@require_safe
def health(request):
    """Readiness check for the shell: Django is up and serving requests.

    Deliberately touches no database and no app data, so it answers the same
    on a first run, after an update and with a broken database.
    """
    return JsonResponse({"status": "ok"})


# The policy in splash.html's meta tag: its CSS is inline, and nothing else loads.
# Written out rather than with django.utils.csp.CSP, so a wrapped project on
# Django 5.2 (no built-in CSP) can use this app too.
SPLASH_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
}


@csp_override(SPLASH_CSP)
@login_not_required
@require_safe
def splash(request):
    """The startup splash screen.

    The template is a self-contained HTML file without template tags: the
    Electron shell also shows it (as a data: URL) before Django is up. Its
    CSS is inline, so it carries its own policy, the one in its meta tag.
    """
    return render(request, "desktop_runtime/splash.html")


@never_cache
@login_not_required
@require_safe
def bootstrap(request):
    """Trade the token in the query string for an HttpOnly cookie, then redirect.

    For shells that cannot add a header to every request (Tauri, a system
    browser, a test browser). `next` must be a path on this origin, so the URL
    cannot be used to bounce the user (and the cookie) somewhere else.
    """
    token = expected_token()
    next_path = request.GET.get("next") or "/"
    if not is_same_origin_path(next_path):
        return forbidden()
    response = HttpResponseRedirect(next_path)
    if token is None:
        # No token in this session: nothing to trade, the redirect is enough.
        return response
    if not token_matches(request.GET.get("token"), token):
        return forbidden()
    # Not Secure: the app is served over plain http://127.0.0.1.
    response.set_cookie(TOKEN_COOKIE, token, path="/", httponly=True, samesite="Strict")
    return response


def is_same_origin_path(value: str) -> bool:
    """True for a relative path like "/ponies/3/"; False for anything a browser
    could read as another origin ("//evil", "/\\evil", "http://evil", ...)."""
    if not value.startswith("/") or value.startswith("//"):
        return False
    # Browsers treat "\" like "/" and drop tabs and newlines from URLs, so
    # "/\evil" and "/<TAB>/evil" would both become "//evil".
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc
