"""Settings modules and the per-user secret key."""

import importlib.util
import os
import stat
import sys
import tempfile
import threading
from pathlib import Path
from unittest import mock, skipUnless

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from desktop_runtime.secret_key import load_or_create_secret_key

from .support import needs_demo


def load_settings(module, **env):
    """Execute a settings module (and base.py under it) afresh with exactly
    these DESKTOP_* variables; the running test settings stay untouched."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DESKTOP_")}
    clean.update({key: str(value) for key, value in env.items()})
    with (
        mock.patch.dict(os.environ, clean, clear=True),
        mock.patch.dict(sys.modules),
        mock.patch.object(sys, "dont_write_bytecode", sys.dont_write_bytecode),
    ):
        sys.modules.pop("desktop_django_starter.settings.base", None)
        spec = importlib.util.find_spec(f"desktop_django_starter.settings.{module}")
        namespace = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(namespace)
        return vars(namespace)


@needs_demo
class PackagedSettingsTests(SimpleTestCase):
    def setUp(self):
        temporary = tempfile.TemporaryDirectory(prefix="dds-settings-")
        self.addCleanup(temporary.cleanup)
        self.app_data = Path(temporary.name) / "app-data"
        self.bundle = Path(temporary.name) / "bundle"
        self.bundle.mkdir()

    def load(self, **env):
        return load_settings(
            "packaged",
            DESKTOP_DJANGO_APP_DATA_DIR=self.app_data,
            DESKTOP_DJANGO_BUNDLE_DIR=self.bundle,
            **env,
        )

    def test_missing_app_data_dir_is_explained(self):
        with self.assertRaisesMessage(
            ImproperlyConfigured, "DESKTOP_DJANGO_APP_DATA_DIR is not set: the desktop shell must"
        ):
            load_settings("packaged", DESKTOP_DJANGO_BUNDLE_DIR=self.bundle)

    def test_missing_bundle_dir_is_explained(self):
        with self.assertRaisesMessage(
            ImproperlyConfigured, "DESKTOP_DJANGO_BUNDLE_DIR is not set: the desktop shell must"
        ):
            load_settings("packaged", DESKTOP_DJANGO_APP_DATA_DIR=self.app_data)

    def test_everything_writable_lives_in_app_data_and_static_in_the_bundle(self):
        values = self.load()
        self.assertIs(values["DEBUG"], False)
        self.assertEqual(values["DATABASES"]["default"]["NAME"], self.app_data / "app.sqlite3")
        self.assertEqual(values["STATIC_ROOT"], self.bundle / "static")
        self.assertEqual(list(self.bundle.iterdir()), [])

    def test_no_process_writes_a_log_file_another_one_could_share(self):
        # The server and the worker both load these settings; the shell writes
        # each one's output to its own file instead.
        handlers = self.load()["LOGGING"]["handlers"].values()
        self.assertEqual([handler["class"] for handler in handlers], ["logging.StreamHandler"])
        self.assertFalse(any("filename" in handler for handler in handlers))

    def test_the_secret_key_is_generated_once_and_reused(self):
        first = self.load()["SECRET_KEY"]
        self.assertGreaterEqual(len(first), 50)
        self.assertEqual((self.app_data / "secret_key").read_text(), first)
        self.assertEqual(self.load()["SECRET_KEY"], first)

    def test_the_environment_cannot_supply_the_secret_key(self):
        values = self.load(DJANGO_SECRET_KEY="from-the-environment")
        self.assertNotEqual(values["SECRET_KEY"], "from-the-environment")

    @skipUnless(os.name == "posix", "file modes are a POSIX concept; Windows uses the user folder")
    def test_the_secret_key_file_is_readable_by_the_user_alone(self):
        old_umask = os.umask(0)
        try:
            self.load()
        finally:
            os.umask(old_umask)
        mode = stat.S_IMODE((self.app_data / "secret_key").stat().st_mode)
        self.assertEqual(mode, 0o600)

    def test_the_sqlite_options_let_two_processes_share_the_file(self):
        options = self.load()["DATABASES"]["default"]["OPTIONS"]
        self.assertIn("PRAGMA journal_mode=WAL", options["init_command"])
        # A save that succeeded survives a power cut, not only a crash of the app.
        self.assertIn("PRAGMA synchronous=FULL", options["init_command"])
        self.assertEqual(options["transaction_mode"], "IMMEDIATE")
        self.assertEqual(options["timeout"], 20)


class SecretKeyTests(SimpleTestCase):
    def setUp(self):
        temporary = tempfile.TemporaryDirectory(prefix="dds-key-")
        self.addCleanup(temporary.cleanup)
        self.path = Path(temporary.name) / "secret_key"

    def test_processes_starting_together_agree_on_one_key(self):
        keys = []
        threads = [
            threading.Thread(target=lambda: keys.append(load_or_create_secret_key(self.path)))
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(set(keys)), 1)
        self.assertEqual(sorted(p.name for p in self.path.parent.iterdir()), ["secret_key"])

    def test_an_empty_key_file_is_reported(self):
        self.path.write_text("")
        with self.assertRaisesMessage(ValueError, "is empty"):
            load_or_create_secret_key(self.path)


@needs_demo
class DevSettingsTests(SimpleTestCase):
    def test_templates_are_read_from_disk_on_every_request(self):
        options = load_settings("dev")["TEMPLATES"][0]["OPTIONS"]
        self.assertEqual(
            options["loaders"],
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )

    def test_logs_go_to_stderr_with_one_line_per_request(self):
        logging = load_settings("dev")["LOGGING"]
        handlers = logging["handlers"].values()
        self.assertEqual([handler["class"] for handler in handlers], ["logging.StreamHandler"])
        self.assertEqual(logging["loggers"]["django.server"]["level"], "INFO")

    def test_the_database_follows_the_app_data_dir(self):
        with tempfile.TemporaryDirectory() as app_data:
            values = load_settings("dev", DESKTOP_DJANGO_APP_DATA_DIR=app_data)
        self.assertEqual(values["DATABASES"]["default"]["NAME"], Path(app_data) / "app.sqlite3")

    def test_the_port_sets_the_trusted_origins(self):
        values = load_settings("dev", DESKTOP_DJANGO_PORT="8123")
        self.assertEqual(
            values["CSRF_TRUSTED_ORIGINS"], ["http://127.0.0.1:8123", "http://localhost:8123"]
        )
        self.assertEqual(values["ALLOWED_HOSTS"], ["127.0.0.1", "localhost"])
        self.assertEqual(
            values["MIDDLEWARE"][:2],
            [
                "desktop_runtime.middleware.DesktopHostMiddleware",
                "desktop_runtime.middleware.DesktopTokenMiddleware",
            ],
        )

    def test_an_empty_token_means_no_token(self):
        self.assertIsNone(
            load_settings("dev", DESKTOP_DJANGO_AUTH_TOKEN="")["DESKTOP_DJANGO_AUTH_TOKEN"]
        )
