"""What the desktop runtime keeps in the database: whether starter data was given."""

from django.db import models


class Seeding(models.Model):
    """One row, written when desktop_serve has given the database its starter data.

    Its presence, not the database's age, decides seeding: a database someone
    migrated by hand still gets its starter data on the first desktop_serve,
    and one whose data the user deleted stays empty.
    """

    seeded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"seeded at {self.seeded_at:%Y-%m-%d %H:%M}"
