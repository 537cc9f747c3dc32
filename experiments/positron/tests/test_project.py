"""The Briefcase project stays in step with the Django project it packages."""

import tomllib
import unittest
from pathlib import Path

from flying_stable_positron.pages import failure_page

HERE = Path(__file__).resolve().parent.parent
REPO = HERE.parent.parent


def pins(lines) -> set[str]:
    return {" ".join(line.replace('"', "'").split()) for line in lines}


class BriefcaseProjectTests(unittest.TestCase):
    def setUp(self):
        self.config = tomllib.loads((HERE / "pyproject.toml").read_text())["tool"]["briefcase"]
        self.app = self.config["app"]["flying_stable_positron"]

    def test_requires_are_the_django_projects_pins(self):
        text = (REPO / "django" / "requirements.txt").read_text().splitlines()
        django_pins = pins(line for line in text if line.strip() and not line.startswith("#"))
        self.assertEqual(pins(self.app["requires"]), django_pins)

    def test_sources_exist_and_hold_the_django_project(self):
        for source in self.app["sources"]:
            if source.startswith("staged/"):
                continue  # made by collectstatic in the packaging job
            self.assertTrue((HERE / source).is_dir(), source)
        names = {Path(source).name for source in self.app["sources"]}
        django_apps = {"desktop_django_starter", "desktop_runtime", "example_app", "routines"}
        self.assertLessEqual(django_apps, names)

    def test_linux_pins_match_the_virtualenvs(self):
        text = (HERE / "requirements.txt").read_text()
        for requirement in self.app["linux"]["requires"]:
            self.assertIn(requirement, text)


class FailurePageTests(unittest.TestCase):
    def test_log_lines_are_escaped_not_run(self):
        page = failure_page("boom <b>", "/data/logs/positron.log", ["<script>alert(1)</script>"])
        self.assertIn("&lt;script&gt;", page)
        self.assertNotIn("<script>alert", page)
        self.assertIn("boom &lt;b&gt;", page)
