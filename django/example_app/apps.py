"""App configuration of My Ponies, including its first-run seed hook."""

from django.apps import AppConfig


class ExampleAppConfig(AppConfig):
    name = "example_app"
    verbose_name = "My Ponies"

    def desktop_seed_new_database(self):
        """Called once by desktop_serve when it has just created the database."""
        from .seed import add_starter_ponies

        add_starter_ponies()
