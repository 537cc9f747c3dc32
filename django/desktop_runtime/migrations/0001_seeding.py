"""The seeding marker. Databases in use before it existed count as seeded.

Those were seeded when they were created (desktop_serve then seeded every
database it created itself), and their users may since have released every
pony: seeding them again would bring the starter data back. A database is "in
use before" when it has migrations recorded before this migrate run began.
"""

from django.db import migrations, models
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

# Migration modules are imported when a migrate run starts, before it applies anything.
RUN_STARTED = timezone.now()


def mark_databases_already_in_use(apps, schema_editor):
    recorder = MigrationRecorder(schema_editor.connection)
    if recorder.migration_qs.filter(applied__lt=RUN_STARTED).exists():
        apps.get_model("desktop_runtime", "Seeding").objects.using(
            schema_editor.connection.alias
        ).create()


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Seeding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seeded_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(mark_databases_already_in_use, migrations.RunPython.noop),
    ]
