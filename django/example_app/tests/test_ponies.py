"""My Ponies through the browser's eyes: pages, forms, bad input, deleting, releasing."""

import importlib
import re

from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, TestCase, modify_settings, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, re_path

from desktop_django_starter.urls import urlpatterns as project_urlpatterns
from desktop_runtime.tests.support import without_shell
from desktop_runtime.tokens import TOKEN_HEADER
from example_app.forms import STATUS_INVALID, TITLE_REQUIRED, TITLE_TOO_LONG
from example_app.models import Item
from example_app.seed import STARTER_PONIES, add_starter_ponies
from example_app.views import NOTES_EXCERPT_CHARS, PONIES_PER_PAGE


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@without_shell
class PonyListTests(TestCase):
    def test_the_home_page_lists_the_ponies_newest_first(self):
        Item.objects.create(title="Older", status=Item.Status.DONE)
        Item.objects.create(title="Newer", notes="Likes hay")
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        names = [link.get_text() for link in page(response).select(".pony-name")]
        self.assertEqual(names, ["Newer", "Older"])
        self.assertContains(response, "Show Ready")
        self.assertContains(response, "Likes hay")

    def test_an_empty_stable_shows_the_empty_state(self):
        soup = page(self.client.get("/"))
        self.assertIsNotNone(soup.select_one(".empty-state svg"))
        self.assertIsNone(soup.find("button", string="Release all ponies"))

    def test_the_layout_has_the_flying_stable_parts(self):
        soup = page(self.client.get("/"))
        self.assertIn("Flying Stable", soup.select_one(".topnav-brand").get_text())
        self.assertIsNotNone(soup.select_one(".topnav-brand svg"))
        links = [link.get_text(strip=True) for link in soup.select(".topnav-links a")]
        self.assertEqual(links, ["My Ponies", "Stable Routines"])
        self.assertIsNotNone(soup.select_one(".page-header svg"))
        self.assertIsNotNone(soup.select_one("footer"))

    @override_settings(DESKTOP_DJANGO_PORT="8123", DESKTOP_DJANGO_AUTH_TOKEN="t" * 43)
    def test_the_footer_claims_no_window_it_cannot_see(self):
        host = {"HTTP_HOST": "127.0.0.1:8123"}
        in_the_shell = self.client.get("/", headers={TOKEN_HEADER: "t" * 43}, **host)
        browser = Client()
        browser.get("/desktop-auth/bootstrap/", {"token": "t" * 43}, **host)
        in_a_browser = browser.get("/", **host)
        footers = [
            page(response).select_one("footer").get_text(" ", strip=True)
            for response in (in_the_shell, in_a_browser)
        ]
        self.assertEqual(footers[0], footers[1])
        self.assertIn("served by Django on 127.0.0.1", footers[0])
        self.assertNotIn("shell", footers[0])

    def test_the_app_data_button_waits_for_the_desktop_bridge(self):
        soup = page(self.client.get("/"))
        button = soup.select_one("[data-open-app-data-folder]")
        self.assertEqual(button.get_text(strip=True), "Open App Data Folder")
        self.assertTrue(button.has_attr("hidden"))
        scripts = [script["src"] for script in soup.find_all("script")]
        self.assertIn("/static/flying_stable/desktop_bridge.js", scripts)

    def test_pages_ask_no_other_host_for_anything(self):
        Item.objects.create(title="Offline")
        for path in ("/", "/ponies/new/", f"/ponies/{Item.objects.get().pk}/"):
            soup = page(self.client.get(path))
            for tag in soup.find_all(["link", "script", "img"]):
                reference = tag.get("href") or tag.get("src") or ""
                with self.subTest(path=path, reference=reference):
                    self.assertFalse(reference.startswith(("http:", "https:", "//")))

    def test_static_files_are_served(self):
        response = self.client.get("/static/flying_stable/flying_stable.css")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"--color-teal-700", b"".join(response.streaming_content))

    def test_static_files_answer_get_and_head_only(self):
        self.assertEqual(
            self.client.head("/static/flying_stable/flying_stable.css").status_code, 200
        )
        for method in ("options", "trace", "post"):
            with self.subTest(method=method):
                response = getattr(self.client, method)("/static/flying_stable/flying_stable.css")
                self.assertEqual(response.status_code, 405)


def a_view_with_a_bug(request):
    raise RuntimeError("a bug in a view")


# The project's URLs plus one that fails, for ServerErrorPageTests.
urlpatterns = [re_path(r"^broken/$", a_view_with_a_bug), *project_urlpatterns]


@without_shell
@override_settings(ROOT_URLCONF=__name__)
class ServerErrorPageTests(TestCase):
    def test_the_500_page_is_styled_by_the_stylesheet_the_policy_allows(self):
        with self.assertLogs("django.request", "ERROR"):
            response = Client(raise_request_exception=False).get("/broken/")
        self.assertEqual(response.status_code, 500)
        policy = response["Content-Security-Policy"]
        self.assertIn("style-src 'self'", policy)
        self.assertNotIn("unsafe-inline", policy)
        # The policy refuses inline styles: none in the page, its rules come from a static file.
        soup = page(response)
        self.assertEqual(soup.find_all("style"), [])
        self.assertEqual(soup.select("[style]"), [])
        self.assertIn("Something went wrong", soup.h1.get_text())
        href = soup.select_one('link[rel="stylesheet"]')["href"]
        stylesheet = self.client.get(href)
        self.assertEqual(stylesheet.status_code, 200)
        rules = b"".join(stylesheet.streaming_content).decode()
        for name in soup.body["class"]:
            with self.subTest(css_class=name):
                self.assertIn(f".{name} {{", rules)


def add_ponies(count: int, **fields) -> None:
    """`count` ponies named Pony 1 .. Pony <count>; the list shows the highest number first."""
    Item.objects.bulk_create(
        Item(title=f"Pony {number}", **fields) for number in range(1, count + 1)
    )


def names_on(response) -> list[str]:
    return [link.get_text() for link in page(response).select(".pony-name")]


@without_shell
class PaginationTests(TestCase):
    def test_the_list_shows_one_page_of_ponies_and_links_to_the_others(self):
        add_ponies(PONIES_PER_PAGE * 2 + 3)
        first = self.client.get("/")
        self.assertEqual(len(names_on(first)), PONIES_PER_PAGE)
        nav = page(first).select_one("nav.pagination")
        self.assertIn(f"of {PONIES_PER_PAGE * 2 + 3} · page 1 of 3", nav.get_text(" ", strip=True))
        self.assertEqual(nav.select_one("a[rel=next]")["href"], "/?page=2")
        self.assertEqual(nav.select_one("a[rel=last]")["href"], "/?page=3")
        self.assertIsNone(nav.select_one("a[rel=prev]"))

        last = self.client.get(nav.select_one("a[rel=last]")["href"])
        self.assertEqual(names_on(last), ["Pony 3", "Pony 2", "Pony 1"])
        last_nav = page(last).select_one("nav.pagination")
        self.assertEqual(last_nav.select_one("a[rel=prev]")["href"], "/?page=2")
        self.assertEqual(last_nav.select_one("a[rel=first]")["href"], "/")
        self.assertIsNone(last_nav.select_one("a[rel=next]"))

    def test_every_pony_is_on_exactly_one_page(self):
        add_ponies(PONIES_PER_PAGE + 1)
        seen = names_on(self.client.get("/")) + names_on(self.client.get("/?page=2"))
        self.assertEqual(sorted(seen), sorted(f"Pony {n}" for n in range(1, PONIES_PER_PAGE + 2)))

    def test_one_page_of_ponies_shows_no_page_links(self):
        add_ponies(PONIES_PER_PAGE)
        self.assertIsNone(page(self.client.get("/")).select_one("nav.pagination"))

    def test_page_numbers_out_of_range_or_not_numbers_show_a_real_page(self):
        add_ponies(PONIES_PER_PAGE + 1)
        first_page = names_on(self.client.get("/"))
        # Paginator.get_page: past either end is the last page, not a number is the first.
        for query, expected in (
            ("?page=99", ["Pony 1"]),
            ("?page=0", ["Pony 1"]),
            ("?page=abc", first_page),
        ):
            with self.subTest(query=query):
                response = self.client.get(f"/{query}")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(names_on(response), expected)

    def test_the_status_counts_cover_every_pony_not_only_this_page(self):
        add_ponies(PONIES_PER_PAGE, status=Item.Status.DONE)
        add_ponies(PONIES_PER_PAGE + 2, status=Item.Status.ACTIVE)
        badges = [
            li.get_text() for li in page(self.client.get("/?page=2")).select(".status-summary li")
        ]
        self.assertEqual(
            badges,
            ["0 Grazing", f"{PONIES_PER_PAGE + 2} Galloping", f"{PONIES_PER_PAGE} Show Ready"],
        )

    def test_the_page_costs_three_queries_however_many_ponies_there_are(self):
        # Counting by status (one aggregate), counting the rows for the pages, reading one page.
        add_ponies(3)
        with self.assertNumQueries(3):
            self.client.get("/")
        add_ponies(PONIES_PER_PAGE * 4)
        with self.assertNumQueries(3), CaptureQueriesContext(connection) as queries:
            self.client.get("/?page=2")
        statements = [query["sql"] for query in queries]
        self.assertEqual(sum("GROUP BY" in sql for sql in statements), 1)
        # The one query that reads ponies reads one page of them, and only the start of the notes.
        (rows,) = [sql for sql in statements if "LIMIT" in sql]
        self.assertIn(f"LIMIT {PONIES_PER_PAGE}", rows)
        cut = re.sub(r'SUBSTR\("example_app_item"\."notes", 1, \d+\)', "", rows)
        self.assertNotIn('"notes"', cut)

    def test_the_list_order_and_the_status_counts_use_an_index(self):
        add_ponies(PONIES_PER_PAGE * 2)
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/?page=2")
        with connection.cursor() as cursor:
            for query in queries:
                cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                with self.subTest(sql=query["sql"]):
                    self.assertNotIn("TEMP B-TREE", plan)
                    self.assertNotRegex(plan, r"SCAN (example_app_item|item)$")

    def test_a_pony_opened_from_a_later_page_leads_back_to_that_page(self):
        add_ponies(PONIES_PER_PAGE * 2)
        name = page(self.client.get("/?page=2")).select_one(".pony-name")
        link = name["href"]
        pony = Item.objects.get(title=name.get_text())
        self.assertEqual(link, f"/ponies/{pony.pk}/?page=2")
        detail = page(self.client.get(link))
        self.assertEqual(detail.find("a", string="Back to My Ponies")["href"], "/?page=2")
        self.assertEqual(detail.find("a", string="Cancel")["href"], "/?page=2")
        self.assertEqual(detail.select_one("form[data-confirm] input[name=page]")["value"], "2")

    def test_saving_a_pony_opened_from_a_later_page_keeps_the_way_back(self):
        add_ponies(PONIES_PER_PAGE * 2)
        pony = Item.objects.get(title="Pony 1")
        response = self.client.post(
            f"/ponies/{pony.pk}/?page=2",
            {"title": "Renamed", "notes": "", "status": "done"},
            follow=True,
        )
        self.assertRedirects(response, f"/ponies/{pony.pk}/?page=2")
        self.assertContains(response, "Saved Renamed.")
        self.assertEqual(page(response).find("a", string="Back to My Ponies")["href"], "/?page=2")

    def test_deleting_from_a_later_page_returns_there_with_the_message(self):
        add_ponies(PONIES_PER_PAGE * 2 + 1)
        pony = Item.objects.get(title="Pony 5")
        response = self.client.post(f"/ponies/{pony.pk}/delete/", {"page": "2"}, follow=True)
        self.assertRedirects(response, "/?page=2")
        self.assertEqual(
            page(response).select_one(".flash").get_text(),
            "Pony 5 has flown off to greener pastures.",
        )
        self.assertNotIn("Pony 5", names_on(response))
        self.assertEqual(len(names_on(response)), PONIES_PER_PAGE)

    def test_deleting_the_only_pony_of_the_last_page_lands_on_the_new_last_page(self):
        add_ponies(PONIES_PER_PAGE + 1)
        pony = Item.objects.get(title="Pony 1")
        response = self.client.post(f"/ponies/{pony.pk}/delete/", {"page": "2"}, follow=True)
        self.assertRedirects(response, "/?page=2")
        self.assertContains(response, "Pony 1 has flown off to greener pastures.")
        self.assertEqual(len(names_on(response)), PONIES_PER_PAGE)
        self.assertIsNone(page(response).select_one("nav.pagination"))

    def test_a_page_field_that_is_not_a_number_deletes_and_goes_to_the_first_page(self):
        pony = Item.objects.create(title="Gone")
        response = self.client.post(f"/ponies/{pony.pk}/delete/", {"page": "//evil.example/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertFalse(Item.objects.exists())

    def test_release_all_from_a_later_page_shows_the_empty_stable_and_the_message(self):
        add_ponies(PONIES_PER_PAGE + 1)
        release = page(self.client.get("/?page=2")).select_one("form[data-confirm=release-dialog]")
        response = self.client.post(release["action"], follow=True)
        self.assertRedirects(response, "/")
        self.assertContains(response, f"Released {PONIES_PER_PAGE + 1} ponies.")
        self.assertIsNotNone(page(response).select_one(".empty-state"))


@without_shell
class NotesExcerptTests(TestCase):
    def test_long_notes_show_as_a_short_excerpt_on_the_list_and_in_full_on_the_pony_page(self):
        notes = "Hay. " * 200_000  # a megabyte of notes
        pony = Item.objects.create(title="Chatty", notes=notes)
        response = self.client.get("/")
        excerpt = page(response).select_one(".pony-notes").get_text()
        self.assertEqual(len(excerpt), NOTES_EXCERPT_CHARS)
        self.assertTrue(excerpt.endswith("…"))
        self.assertTrue(notes.startswith(excerpt[:-1]))
        self.assertLess(len(response.content), 50_000)
        self.assertEqual(
            page(self.client.get(f"/ponies/{pony.pk}/")).select_one("#id_notes").get_text().strip(),
            notes.strip(),
        )

    def test_short_notes_show_whole(self):
        Item.objects.create(title="Brief", notes="Likes hay.")
        self.assertEqual(
            page(self.client.get("/")).select_one(".pony-notes").get_text(), "Likes hay."
        )


@without_shell
class CreatePonyTests(TestCase):
    def post(self, **data):
        return self.client.post(
            "/ponies/new/", {"title": "", "notes": "", "status": "backlog", **data}
        )

    def assert_title_error(self, response, message):
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Item.objects.count(), 0)
        error = page(response).select_one("#id_title_error")
        self.assertEqual(error.get_text(strip=True), message)
        self.assertIsNotNone(error.find("svg"), "the themed error has a warning icon")

    def test_the_form_has_stable_names_and_browser_side_rules(self):
        soup = page(self.client.get("/ponies/new/"))
        form = soup.select_one("form[data-validate]")
        self.assertTrue(form.has_attr("novalidate"))
        title = soup.select_one("#id_title")
        self.assertEqual(title["name"], "title")
        # Characters, counted by validation.js; the browser's maxlength counts UTF-16 units.
        self.assertEqual(title["data-maxlength"], "200")
        self.assertFalse(title.has_attr("maxlength"))
        self.assertTrue(title.has_attr("required"))
        self.assertEqual(title["data-message-required"], TITLE_REQUIRED)
        self.assertEqual(title["data-message-maxlength"], TITLE_TOO_LONG)
        self.assertEqual(title["data-message-blank"], TITLE_REQUIRED)
        self.assertEqual(soup.select_one("#id_notes")["name"], "notes")
        options = [option["value"] for option in soup.select("#id_status option")]
        self.assertEqual(options, ["backlog", "active", "done"])
        self.assertIsNotNone(soup.find("button", string="Add pony"))

    def test_a_valid_pony_joins_the_stable(self):
        response = self.client.post(
            "/ponies/new/",
            {"title": "  Sunny Side  ", "notes": "Loves apples", "status": "active"},
            follow=True,
        )
        self.assertRedirects(response, "/")
        self.assertContains(response, "Welcome to the stable, Sunny Side!")
        pony = Item.objects.get()
        self.assertEqual(
            (pony.title, pony.notes, pony.status), ("Sunny Side", "Loves apples", "active")
        )

    def test_a_title_of_exactly_200_characters_is_fine(self):
        self.assertRedirects(self.post(title="x" * 200), "/")

    def test_an_empty_title_is_refused(self):
        self.assert_title_error(self.post(title=""), TITLE_REQUIRED)

    def test_a_missing_title_is_refused(self):
        response = self.client.post("/ponies/new/", {"status": "backlog"})
        self.assert_title_error(response, TITLE_REQUIRED)

    def test_a_whitespace_only_title_is_refused(self):
        self.assert_title_error(self.post(title=" \t\n  "), TITLE_REQUIRED)

    def test_a_title_of_invisible_characters_is_refused(self):
        # Ideographic space, zero-width space and joiner, BOM, a direction mark, Hangul filler.
        for title in ("\u3000\u200b", "\u200b\u200d\ufeff", "\u200e\u3164\u3000"):
            with self.subTest(title=ascii(title)):
                self.assert_title_error(self.post(title=title), TITLE_REQUIRED)

    def test_a_name_with_a_visible_character_among_invisible_ones_is_kept(self):
        self.post(title="\u200bSunny\u3000")
        self.assertEqual(Item.objects.get().title, "\u200bSunny")

    def test_a_10000_character_title_is_refused(self):
        self.assert_title_error(self.post(title="x" * 10_000), TITLE_TOO_LONG)

    def test_an_unknown_status_is_refused(self):
        for status in ("flying", "", "BACKLOG", "Grazing"):
            with self.subTest(status=status):
                response = self.post(title="Sunny", status=status)
                self.assertEqual(response.status_code, 200)
                error = page(response).select_one("#id_status_error")
                self.assertEqual(error.get_text(strip=True), STATUS_INVALID)
        self.assertEqual(Item.objects.count(), 0)

    def test_an_empty_post_shows_errors_instead_of_a_blank_form(self):
        response = self.client.post("/ponies/new/", {})
        self.assertIsNotNone(page(response).select_one("#id_title_error"))

    def test_the_model_refuses_a_blank_title_too(self):
        with self.assertRaises(ValidationError):
            Item(title="   ").full_clean()


@without_shell
class EditPonyTests(TestCase):
    def setUp(self):
        self.pony = Item.objects.create(title="Biscuit", notes="Round", status="backlog")
        self.url = f"/ponies/{self.pony.pk}/"

    def test_the_detail_page_shows_the_form_filled_in(self):
        soup = page(self.client.get(self.url))
        self.assertEqual(soup.select_one("#id_title")["value"], "Biscuit")
        self.assertEqual(soup.select_one("#id_notes").get_text().strip(), "Round")
        self.assertIsNotNone(soup.select_one("#id_status option[value=backlog][selected]"))
        self.assertIsNotNone(soup.find("button", string="Save"))

    def test_saving_changes_the_pony(self):
        response = self.client.post(
            self.url, {"title": "Biscuit II", "notes": "", "status": "done"}
        )
        self.assertRedirects(response, self.url)
        self.pony.refresh_from_db()
        self.assertEqual((self.pony.title, self.pony.status), ("Biscuit II", "done"))

    def test_bad_input_leaves_the_pony_unchanged(self):
        for data in (
            {"title": "   ", "status": "done"},
            {"title": "x" * 10_000, "status": "done"},
            {"title": "Fine", "status": "sleeping"},
        ):
            with self.subTest(data=data):
                response = self.client.post(self.url, {"notes": "", **data})
                self.assertEqual(response.status_code, 200)
                self.assertIsNotNone(page(response).select_one(".field-error"))
                self.assertEqual(page(response).h1.get_text(), "Biscuit")
        self.pony.refresh_from_db()
        self.assertEqual((self.pony.title, self.pony.status), ("Biscuit", "backlog"))

    def test_unknown_ids_are_404(self):
        missing = self.pony.pk + 1000
        self.assertEqual(self.client.get(f"/ponies/{missing}/").status_code, 404)
        self.assertEqual(self.client.post(f"/ponies/{missing}/", {"title": "x"}).status_code, 404)
        self.assertEqual(self.client.post(f"/ponies/{missing}/delete/").status_code, 404)
        self.assertEqual(self.client.get("/ponies/not-a-number/").status_code, 404)


@without_shell
class DeletePonyTests(TestCase):
    def setUp(self):
        self.pony = Item.objects.create(title="Pebble")
        self.other = Item.objects.create(title="Stays")

    def test_delete_is_a_post_behind_an_in_page_dialog(self):
        soup = page(self.client.get(f"/ponies/{self.pony.pk}/"))
        form = soup.select_one("form[data-confirm]")
        self.assertEqual(form["action"], f"/ponies/{self.pony.pk}/delete/")
        self.assertEqual(form["method"], "post")
        dialog = soup.select_one(f"#{form['data-confirm']}")
        self.assertEqual(dialog["role"], "dialog")
        self.assertIsNotNone(dialog.find("button", string="Delete"))
        self.assertIsNotNone(dialog.find("button", string="Cancel"))

    def test_deleting_removes_only_that_pony(self):
        self.assertRedirects(self.client.post(f"/ponies/{self.pony.pk}/delete/"), "/")
        self.assertEqual(list(Item.objects.all()), [self.other])

    def test_get_never_deletes(self):
        self.assertEqual(self.client.get(f"/ponies/{self.pony.pk}/delete/").status_code, 405)
        self.assertEqual(Item.objects.count(), 2)


@without_shell
class ReleaseAllTests(TestCase):
    def test_release_all_leaves_an_empty_stable_that_stays_empty(self):
        add_starter_ponies()
        soup = page(self.client.get("/"))
        self.assertIsNotNone(soup.find("button", string="Release all ponies"))
        self.assertEqual(soup.select_one("#release-dialog")["role"], "dialog")

        response = self.client.post("/ponies/release-all/", follow=True)
        self.assertRedirects(response, "/")
        self.assertEqual(Item.objects.count(), 0)
        self.assertContains(response, f"Released {len(STARTER_PONIES)} ponies.")
        self.assertIsNotNone(page(response).select_one(".empty-state"))
        self.assertEqual(Item.objects.count(), 0, "visiting the list does not re-seed")

    def test_get_never_releases(self):
        Item.objects.create(title="Stays")
        self.assertEqual(self.client.get("/ponies/release-all/").status_code, 405)
        self.assertEqual(Item.objects.count(), 1)


@without_shell
class CsrfTests(TestCase):
    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)
        self.pony = Item.objects.create(title="Guarded")

    def test_posts_without_a_csrf_token_are_refused(self):
        for url in (
            "/ponies/new/",
            f"/ponies/{self.pony.pk}/",
            f"/ponies/{self.pony.pk}/delete/",
            "/ponies/release-all/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, {"title": "Hacked"}).status_code, 403)
        self.assertEqual(list(Item.objects.values_list("title", flat=True)), ["Guarded"])

    def test_posts_with_the_csrf_token_from_the_page_work(self):
        token = page(self.client.get("/ponies/new/")).select_one("[name=csrfmiddlewaretoken]")[
            "value"
        ]
        response = self.client.post(
            "/ponies/new/",
            {"title": "Honest", "status": "backlog", "notes": "", "csrfmiddlewaretoken": token},
        )
        self.assertEqual(response.status_code, 302)


class SeedTests(TestCase):
    def test_the_starter_roster_has_varied_statuses(self):
        add_starter_ponies()
        self.assertEqual(Item.objects.count(), len(STARTER_PONIES))
        self.assertEqual(
            set(Item.objects.values_list("status", flat=True)), set(Item.Status.values)
        )
        self.assertEqual(Item.objects.first().title, STARTER_PONIES[0][0])


@without_shell
class WithoutRoutinesTests(TestCase):
    """Removing the optional app hides its link and its URLs."""

    def setUp(self):
        import desktop_django_starter.urls

        def reload_urls():
            importlib.reload(desktop_django_starter.urls)
            clear_url_caches()

        without_routines = modify_settings(INSTALLED_APPS={"remove": ["routines"]})
        without_routines.enable()
        reload_urls()
        # Cleanups run last-in first-out: settings back first, then the URLs.
        self.addCleanup(reload_urls)
        self.addCleanup(without_routines.disable)

    def test_the_nav_link_and_pages_are_gone(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Stable Routines")
        self.assertEqual(self.client.get("/routines/").status_code, 404)
