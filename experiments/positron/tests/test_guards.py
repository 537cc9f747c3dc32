"""The navigation rule: Django's origin stays in the window, other web pages go to the browser."""

import unittest

from flying_stable_positron.guards import ALLOW, BROWSER, REFUSE, decide

ORIGIN = "http://127.0.0.1:8123"


class DecideTests(unittest.TestCase):
    def test_django_origin_and_the_local_pages_stay(self):
        self.assertEqual(decide(f"{ORIGIN}/routines/", ORIGIN), ALLOW)
        self.assertEqual(decide(f"{ORIGIN}/desktop-auth/bootstrap/?token=x&next=/", ORIGIN), ALLOW)
        self.assertEqual(decide("about:blank", ORIGIN), ALLOW)
        self.assertEqual(decide("about:blank", None), ALLOW)

    def test_another_port_or_host_is_another_origin(self):
        self.assertEqual(decide("http://127.0.0.1:8124/", ORIGIN), BROWSER)
        self.assertEqual(decide("http://localhost:8123/", ORIGIN), BROWSER)
        self.assertEqual(decide("https://127.0.0.1:8123/", ORIGIN), BROWSER)
        self.assertEqual(decide("https://docs.djangoproject.com/", ORIGIN), BROWSER)

    def test_before_django_serves_no_web_page_is_allowed(self):
        self.assertEqual(decide(f"{ORIGIN}/", None), BROWSER)

    def test_other_schemes_are_refused_outright(self):
        for url in ("file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi", "ftp://x/"):
            self.assertEqual(decide(url, ORIGIN), REFUSE, url)

    def test_no_new_window_even_for_django(self):
        self.assertEqual(decide(f"{ORIGIN}/", ORIGIN, new_window=True), REFUSE)
        self.assertEqual(decide("about:blank", ORIGIN, new_window=True), REFUSE)
        self.assertEqual(decide("https://example.org/", ORIGIN, new_window=True), BROWSER)
