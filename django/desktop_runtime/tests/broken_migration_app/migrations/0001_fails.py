"""A migration that fails the way real ones do: its SQL refers to a missing table."""

from django.db import migrations


class Migration(migrations.Migration):
    operations = [
        migrations.RunSQL("UPDATE table_that_does_not_exist SET name = 1"),
    ]
