"""The per-session shell token: where requests carry it and how it is compared."""

import hmac

from django.conf import settings

TOKEN_HEADER = "X-Desktop-Django-Token"
TOKEN_COOKIE = "desktop_django_token"


def expected_token() -> str | None:
    """The token this session requires, or None when the shell set none."""
    return getattr(settings, "DESKTOP_DJANGO_AUTH_TOKEN", None)


def token_matches(candidate: str | None, expected: str) -> bool:
    """Compare in constant time, so response timing leaks nothing about the token."""
    if not candidate:
        return False
    return hmac.compare_digest(candidate.encode(), expected.encode())


def carries_token(header: str | None, cookie: str | None, expected: str) -> bool:
    """True if the token header or the bootstrap cookie holds this session's token."""
    return token_matches(header, expected) or token_matches(cookie, expected)
