"""A migration that fails halfway: outside a transaction, its first statement
changes the users' data for good, then the second one fails. What a new
version's buggy data migration can leave behind without a backup."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("auth", "0001_initial")]
    operations = [
        migrations.RunSQL("UPDATE auth_user SET username = 'half-migrated'"),
        migrations.RunSQL("UPDATE table_that_does_not_exist SET name = 1"),
    ]
