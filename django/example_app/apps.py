"""App configuration of My Ponies, including its first-run seed hook."""

from django.apps import AppConfig


class ExampleAppConfig(AppConfig):
    name = "example_app"
    verbose_name = "My Ponies"

    def desktop_seed_new_database(self):
        """Called once per database, by the first desktop_serve to find it unseeded."""
        from .seed import add_starter_ponies

        add_starter_ponies()
