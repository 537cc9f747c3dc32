"""The contract's views in a project behind Django's LoginRequiredMiddleware.

That middleware redirects every view not marked login_not_required to the
login page. /health/, /splash/ and the bootstrap URL are the shell's, guarded
by the token alone: they must answer as the contract says, or a wrapped
project that shows its own login page never starts (the shell waits for
/health/) and the bootstrap URL never sets its cookie.
"""

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.test import SimpleTestCase

from desktop_runtime.tokens import TOKEN_COOKIE

from .support import (
    ManagedProcess,
    backend_environment,
    free_port,
    get_without_redirects,
    header_values,
)

TOKEN = "login-required-token-" + "z" * 40
SETTINGS = "desktop_runtime.tests.settings_login_required"


class LoginRequiredMiddlewareTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        temporary = tempfile.TemporaryDirectory(prefix="dds-login-required-")
        cls.addClassCleanup(temporary.cleanup)
        root = Path(temporary.name)
        cls.port = free_port()
        environment = backend_environment(
            root, SETTINGS, DESKTOP_DJANGO_PORT=cls.port, DESKTOP_DJANGO_AUTH_TOKEN=TOKEN
        )
        backend = ManagedProcess(["desktop_serve"], environment, root)
        cls.addClassCleanup(backend.cleanup)
        backend.wait_for_serving()

    def test_health_answers_with_the_token(self):
        status, _, body = get_without_redirects(self.port, "/health/", TOKEN)
        self.assertEqual((status, body), (200, '{"status": "ok"}'))

    def test_splash_answers_with_the_token(self):
        status, _, body = get_without_redirects(self.port, "/splash/", TOKEN)
        self.assertEqual(status, 200)
        self.assertIn("<html", body.lower())

    def test_bootstrap_sets_the_cookie_and_redirects_to_next(self):
        query = urlencode({"token": TOKEN, "next": "/gated/"})
        status, headers, _ = get_without_redirects(self.port, f"/desktop-auth/bootstrap/?{query}")
        self.assertEqual((status, header_values(headers, "location")), (302, ["/gated/"]))
        cookies = header_values(headers, "set-cookie")
        self.assertTrue(any(cookie.startswith(f"{TOKEN_COOKIE}=") for cookie in cookies))

    def test_a_refused_bootstrap_still_answers_403(self):
        query = urlencode({"token": "wrong", "next": "/gated/"})
        status, headers, _ = get_without_redirects(self.port, f"/desktop-auth/bootstrap/?{query}")
        self.assertEqual(status, 403)
        self.assertEqual(header_values(headers, "set-cookie"), [])

    def test_the_projects_own_pages_still_need_a_login(self):
        status, headers, _ = get_without_redirects(self.port, "/gated/", TOKEN)
        self.assertEqual(status, 302)
        self.assertTrue(header_values(headers, "location")[0].startswith("/login/?next="))
