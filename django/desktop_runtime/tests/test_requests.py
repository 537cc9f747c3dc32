"""The request guards and views of the contract: host, token, bootstrap, health, splash, CSP."""

import re

from django.test import SimpleTestCase, TestCase, override_settings

from desktop_runtime.tokens import TOKEN_COOKIE, TOKEN_HEADER

from .support import needs_demo, needs_django_csp, without_shell

PORT = "8123"
TOKEN = "a-per-session-token-that-is-long-enough-0123456789"
HOST = f"127.0.0.1:{PORT}"
with_shell = override_settings(DESKTOP_DJANGO_PORT=PORT, DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)


def assert_guard_headers(testcase, response):
    """The guards answer before the security middleware runs: their answers carry its headers."""
    testcase.assertEqual(response["X-Frame-Options"], "DENY")
    testcase.assertEqual(response["X-Content-Type-Options"], "nosniff")
    policy = response["Content-Security-Policy"]
    testcase.assertIn("default-src 'none'", policy)
    testcase.assertIn("frame-ancestors 'none'", policy)


@with_shell
class HostCheckTests(SimpleTestCase):
    def get(self, host):
        return self.client.get("/health/", HTTP_HOST=host, headers={TOKEN_HEADER: TOKEN})

    def test_loopback_hosts_with_our_port_pass(self):
        self.assertEqual(self.get(f"127.0.0.1:{PORT}").status_code, 200)
        self.assertEqual(self.get(f"localhost:{PORT}").status_code, 200)

    def test_foreign_hosts_get_400_in_plain_text(self):
        for host in ("evil.example", f"evil.example:{PORT}", "127.0.0.1", "127.0.0.1:9999", ""):
            with self.subTest(host=host):
                response = self.get(host)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
                self.assertNotIn(b"Traceback", response.content)

    def test_the_400_carries_the_security_headers(self):
        assert_guard_headers(self, self.get("evil.example"))

    def test_the_host_check_comes_before_the_token_check(self):
        response = self.client.get("/health/", HTTP_HOST="evil.example")
        self.assertEqual(response.status_code, 400)


@with_shell
class TokenCheckTests(SimpleTestCase):
    def get(self, path, **kwargs):
        return self.client.get(path, HTTP_HOST=HOST, **kwargs)

    def assert_forbidden(self, response):
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(response.cookies, {})
        self.assertNotIn("Set-Cookie", response.headers)

    def test_the_403_page_says_why_without_naming_what_was_missing(self):
        response = self.get("/", headers={TOKEN_HEADER: TOKEN + "x"})
        self.assert_forbidden(response)
        page = response.content.decode()
        self.assertIn("<h1>Open this app from its desktop window</h1>", page)
        self.assertIn("answers only the desktop app that started it", page)
        for secret in (TOKEN, TOKEN_HEADER, TOKEN_COOKIE, "token"):
            self.assertNotIn(secret.lower(), page.lower())

    def test_the_403_carries_the_security_headers(self):
        assert_guard_headers(self, self.get("/"))

    def test_the_403_page_loads_nothing_that_the_guard_would_refuse(self):
        page = self.get("/").content.decode()
        self.assertIn("<style>", page)
        self.assertNotRegex(page, r"""(?:src|href)=|@import|url\(""")

    def test_every_path_needs_the_token(self):
        for path in (
            "/health/",
            "/",
            "/splash/",
            "/static/flying_stable/flying_stable.css",
            "/nope/",
        ):
            with self.subTest(path=path):
                self.assert_forbidden(self.get(path))

    def test_a_wrong_token_is_refused_in_the_header_and_in_the_cookie(self):
        self.assert_forbidden(self.get("/health/", headers={TOKEN_HEADER: TOKEN + "x"}))
        self.assert_forbidden(self.get("/health/", headers={TOKEN_HEADER: ""}))
        self.client.cookies[TOKEN_COOKIE] = "not-the-token"
        self.assert_forbidden(self.get("/health/"))

    def test_the_header_lets_requests_through(self):
        response = self.get("/splash/", headers={TOKEN_HEADER: TOKEN})
        self.assertEqual(response.status_code, 200)

    @needs_demo
    def test_the_header_lets_static_files_through(self):
        response = self.get(
            "/static/flying_stable/flying_stable.css", headers={TOKEN_HEADER: TOKEN}
        )
        self.assertEqual(response.status_code, 200)

    def test_the_cookie_lets_requests_through(self):
        self.client.cookies[TOKEN_COOKIE] = TOKEN
        self.assertEqual(self.get("/health/").status_code, 200)

    @without_shell
    def test_without_a_token_in_the_environment_nothing_is_required(self):
        self.assertEqual(self.client.get("/health/").status_code, 200)


@with_shell
class BootstrapTests(SimpleTestCase):
    def bootstrap(self, **query):
        return self.client.get("/desktop-auth/bootstrap/", query, HTTP_HOST=HOST)

    def assert_refused(self, response):
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("Set-Cookie", response.headers)
        self.assertEqual(response.cookies, {})

    def test_a_valid_token_sets_a_strict_httponly_cookie_and_redirects(self):
        response = self.bootstrap(token=TOKEN, next="/ponies/new/?from=shell")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/ponies/new/?from=shell")
        cookie = response.cookies[TOKEN_COOKIE]
        self.assertEqual(cookie.value, TOKEN)
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Strict")
        self.assertEqual(cookie["path"], "/")
        self.assertFalse(cookie["secure"])
        self.assertIn("no-store", response["Cache-Control"])

    def test_the_cookie_then_opens_the_app(self):
        self.bootstrap(token=TOKEN, next="/")
        self.assertEqual(self.client.get("/health/", HTTP_HOST=HOST).status_code, 200)

    def test_next_defaults_to_the_home_page(self):
        self.assertEqual(self.bootstrap(token=TOKEN)["Location"], "/")

    def test_a_missing_or_wrong_token_is_refused(self):
        self.assert_refused(self.bootstrap(next="/"))
        self.assert_refused(self.bootstrap(token="", next="/"))
        self.assert_refused(self.bootstrap(token=TOKEN[:-1], next="/"))
        self.assert_refused(self.bootstrap(token=TOKEN + "0", next="/"))
        self.assert_refused(self.bootstrap(token="ünïcode", next="/"))

    def test_next_must_stay_on_this_origin(self):
        for next_url in (
            "http://evil.example/",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "/ponies\\..\\",
            "/\t/evil.example",
            "/\n/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "ponies/",
            "http:/evil.example",
        ):
            with self.subTest(next=next_url):
                self.assert_refused(self.bootstrap(token=TOKEN, next=next_url))

    def test_the_token_never_appears_in_the_redirect(self):
        response = self.bootstrap(token=TOKEN, next="/")
        self.assertNotIn(TOKEN, response["Location"])

    @without_shell
    def test_without_a_session_token_it_only_redirects(self):
        response = self.client.get("/desktop-auth/bootstrap/", {"next": "/ponies/new/"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.cookies, {})
        self.assert_refused(self.client.get("/desktop-auth/bootstrap/", {"next": "//evil/"}))


@without_shell
class HealthTests(TestCase):
    def test_health_answers_ok_without_touching_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/health/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})
        self.assertEqual(response["Content-Type"], "application/json")

    def test_health_only_reads(self):
        self.assertEqual(self.client.post("/health/").status_code, 405)


@without_shell
class SplashTests(SimpleTestCase):
    def test_the_splash_page_is_served(self):
        response = self.client.get("/splash/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Flying Stable")
        self.assertContains(response, "<svg", count=2)

    @needs_django_csp
    def test_the_splash_page_sends_the_policy_its_meta_tag_states(self):
        response = self.client.get("/splash/")
        meta = re.search(
            r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', response.text
        )
        self.assertEqual(response["Content-Security-Policy"], meta[1])
        self.assertIn("default-src 'none'", meta[1])


@needs_demo
@without_shell
class ContentSecurityPolicyTests(TestCase):
    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )

    def test_every_page_sends_the_strict_policy(self):
        for path in ("/", "/ponies/new/", "/routines/", "/health/", "/no-such-page/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path)["Content-Security-Policy"], self.POLICY)
