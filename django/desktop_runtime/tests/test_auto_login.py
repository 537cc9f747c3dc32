"""DesktopAutoLoginMiddleware in a real backend of a login-gated project.

The project (settings_login_gated) has Django's sessions and auth, a page behind
login_required, and a middleware that sets a cookie on every response. With
the desktop token, the shell's requests are logged in as the local user; a
refused bootstrap still answers 403 with no cookie at all and makes no
session; without a token the project's own login applies.
"""

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.test import SimpleTestCase

from .support import (
    backend_environment,
    change_database,
    free_port,
    get_without_redirects,
    header_values,
    query_database,
    start_command,
)

TOKEN = "auto-login-token-" + "y" * 40
SETTINGS = "desktop_runtime.tests.settings_login_gated"


class AutoLoginTests(SimpleTestCase):
    def start(self, **env):
        temporary = tempfile.TemporaryDirectory(prefix="dds-autologin-")
        self.addCleanup(temporary.cleanup)
        root = Path(temporary.name)
        self.database = root / "app.sqlite3"
        port = free_port()
        environment = backend_environment(root, SETTINGS, DESKTOP_DJANGO_PORT=port, **env)
        self.backend = start_command(self, ["desktop_serve"], environment, cwd=root)
        self.serving = self.backend.wait_for_serving()
        return port

    def sessions(self):
        return query_database(self.database, "SELECT COUNT(*) FROM django_session")[0][0]

    def test_requests_with_the_token_are_logged_in_as_the_local_user(self):
        port = self.start(DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        # The shell learns it from the SERVING line: `npm run backend` warns about it.
        self.assertIs(self.serving["auto_login"], True)
        status, _, body = get_without_redirects(port, "/gated/", TOKEN)
        self.assertEqual((status, body), (200, "hello desktop"))
        self.assertEqual(
            query_database(
                self.database,
                "SELECT username, password LIKE '!%', is_staff, is_superuser FROM auth_user",
            ),
            [("desktop", 1, 0, 0)],
        )

    def test_the_local_user_can_be_made_a_superuser_for_the_admin(self):
        port = self.start(DESKTOP_DJANGO_AUTH_TOKEN=TOKEN, TEST_AUTO_LOGIN_SUPERUSER="1")
        self.assertEqual(get_without_redirects(port, "/gated/", TOKEN)[0], 200)
        self.assertEqual(
            query_database(self.database, "SELECT is_staff, is_superuser FROM auth_user"),
            [(1, 1)],
        )

    def test_a_refused_bootstrap_sets_no_cookie_and_makes_no_session(self):
        port = self.start(DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        before = self.sessions()
        refused = [
            {"token": "wrong", "next": "/gated/"},
            {"token": TOKEN, "next": "//evil.example/"},
            {"token": TOKEN, "next": "https://evil.example/"},
            {"token": TOKEN, "next": "/\\evil.example"},
            {"next": "/gated/"},
        ]
        for query in refused:
            with self.subTest(query=query):
                status, headers, _ = get_without_redirects(
                    port, f"/desktop-auth/bootstrap/?{urlencode(query)}"
                )
                self.assertEqual(status, 403)
                self.assertEqual(header_values(headers, "set-cookie"), [])
        # Whatever the method, and whatever header: the bootstrap goes by its query
        # token, decided before any other middleware runs.
        for method, header in [
            *((method, None) for method in ("OPTIONS", "TRACE", "POST", "PUT", "DELETE", "HEAD")),
            ("GET", TOKEN),
        ]:
            with self.subTest(method=method, header=header):
                status, headers, _ = get_without_redirects(
                    port, "/desktop-auth/bootstrap/?token=wrong&next=/gated/", header, method
                )
                self.assertEqual(status, 403)
                self.assertEqual(header_values(headers, "set-cookie"), [])
        self.assertEqual(self.sessions(), before)

    def test_the_contracts_own_views_never_log_in(self):
        port = self.start(DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        for path in ("/health/", "/splash/") * 3:
            with self.subTest(path=path):
                status, headers, _ = get_without_redirects(port, path, TOKEN)
                self.assertEqual(status, 200)
                cookies = header_values(headers, "set-cookie")
                self.assertFalse(any(cookie.startswith("sessionid=") for cookie in cookies))
        self.assertEqual(self.sessions(), 0)
        self.assertEqual(query_database(self.database, "SELECT COUNT(*) FROM auth_user"), [(0,)])

    def test_one_login_serves_the_whole_desktop_session(self):
        port = self.start(DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        # A client without a cookie jar: every request arrives without the session cookie.
        for _ in range(5):
            self.assertEqual(
                get_without_redirects(port, "/gated/", TOKEN)[::2], (200, "hello desktop")
            )
        self.assertEqual(self.sessions(), 1)

    def test_an_existing_account_with_a_password_is_not_taken_over(self):
        port = self.start(DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        # A real "desktop" account, as an imported database may hold.
        change_database(
            self.database,
            "INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active, "
            "first_name, last_name, email, date_joined) VALUES "
            "('desktop', 'pbkdf2_sha256$1000000$salt$hash', 0, 0, 1, '', '', '', '2026-01-01')",
        )
        for _ in range(2):
            status, headers, _ = get_without_redirects(port, "/gated/", TOKEN)
            self.assertEqual((status, dict(headers)["Location"]), (302, "/login/?next=/gated/"))
        self.assertEqual(self.sessions(), 0)
        self.assertEqual(
            query_database(self.database, "SELECT password, is_superuser FROM auth_user"),
            [("pbkdf2_sha256$1000000$salt$hash", 0)],
        )
        self.assertEqual(self.backend.stderr().count("auto-login: the account 'desktop' exists"), 1)

    def test_the_bootstrap_url_itself_never_logs_in(self):
        port = self.start(DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        query = urlencode({"token": TOKEN, "next": "/gated/"})
        status, headers, _ = get_without_redirects(port, f"/desktop-auth/bootstrap/?{query}")
        self.assertEqual(status, 302)
        cookies = header_values(headers, "set-cookie")
        self.assertTrue(any(cookie.startswith("desktop_django_token=") for cookie in cookies))
        self.assertFalse(any(cookie.startswith("sessionid=") for cookie in cookies))
        self.assertEqual(self.sessions(), 0)

    def test_without_a_token_the_projects_own_login_applies(self):
        port = self.start()
        self.assertIs(self.serving["auto_login"], False)
        status, headers, _ = get_without_redirects(port, "/gated/")
        self.assertEqual(status, 302)
        self.assertEqual(dict(headers)["Location"], "/login/?next=/gated/")
        self.assertEqual(query_database(self.database, "SELECT COUNT(*) FROM auth_user")[0][0], 0)
