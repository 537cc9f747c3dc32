"""Files other programs read directly: the splash page and the pony mark."""

import re
from pathlib import Path
from xml.etree import ElementTree

from bs4 import BeautifulSoup
from django.conf import settings
from django.template.loader import render_to_string
from django.test import SimpleTestCase

from .support import needs_demo

DJANGO_DIR = Path(settings.BASE_DIR)
SPLASH = DJANGO_DIR / "desktop_runtime" / "templates" / "desktop_runtime" / "splash.html"
NAV_MARK = "flying_stable/pony_mark.html"
BRAND_MARK = DJANGO_DIR.parent / "assets" / "brand" / "pony.svg"


def path_data(markup: str) -> list[str]:
    return re.findall(r'<path[^>]*\sd="([^"]+)"', markup)


class SplashFileTests(SimpleTestCase):
    """The shell shows splash.html as a data: URL before Django runs."""

    def setUp(self):
        self.html = SPLASH.read_text(encoding="utf-8")
        self.soup = BeautifulSoup(self.html, "html.parser")

    def test_it_holds_no_template_syntax(self):
        for marker in ("{%", "%}", "{{", "}}", "{#", "#}"):
            self.assertNotIn(marker, self.html)

    def test_it_references_no_other_file_or_host(self):
        self.assertEqual(self.soup.find_all(["link", "script", "img", "iframe", "object"]), [])
        self.assertEqual(self.soup.find_all(attrs={"src": True}), [])
        self.assertEqual(self.soup.find_all(attrs={"href": True}), [])
        self.assertNotIn("url(", self.html)
        self.assertNotIn("@import", self.html)
        self.assertNotIn("//", re.sub(r"<!--.*?-->", "", self.html, flags=re.S))

    def test_it_shows_the_logo_and_three_loading_dots(self):
        self.assertIsNotNone(self.soup.find("style"))
        self.assertEqual(len(self.soup.select("svg.dots circle")), 3)
        self.assertEqual(path_data(self.html), path_data(BRAND_MARK.read_text(encoding="utf-8")))


class PonyMarkTests(SimpleTestCase):
    def test_the_brand_source_is_a_square_svg_with_a_solid_tile(self):
        root = ElementTree.parse(BRAND_MARK).getroot()
        _, _, width, height = (float(value) for value in root.get("viewBox").split())
        self.assertEqual(width, height)
        tile = root.find("{http://www.w3.org/2000/svg}rect")
        self.assertEqual((tile.get("width"), tile.get("height")), ("64", "64"))

    @needs_demo
    def test_the_navigation_draws_the_same_mark(self):
        brand = path_data(BRAND_MARK.read_text(encoding="utf-8"))
        self.assertEqual(path_data(render_to_string(NAV_MARK)), brand)
        self.assertEqual(len(brand), 3)
