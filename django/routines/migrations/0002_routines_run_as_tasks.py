"""Stable Routines run as django.tasks tasks: the task result holds status and attempts."""

import django.db.models.deletion
from django.db import migrations, models


def forget_queued_routines(apps, schema_editor):
    """Routines from the hand-written queue have no task to show their status: drop them.

    They were the demo's fake work, never user data.
    """
    apps.get_model("routines", "Routine").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("routines", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_queued_routines, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="routine",
            name="routines_ro_status_1b3820_idx",
        ),
        migrations.AddField(
            model_name="routine",
            name="task",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="routine",
                to="django_tasks_database.dbtaskresult",
            ),
        ),
        migrations.RemoveField(
            model_name="routine",
            name="attempts",
        ),
        migrations.RemoveField(
            model_name="routine",
            name="claimed_by",
        ),
        migrations.RemoveField(
            model_name="routine",
            name="finished_at",
        ),
        migrations.RemoveField(
            model_name="routine",
            name="lease_expires_at",
        ),
        migrations.RemoveField(
            model_name="routine",
            name="started_at",
        ),
        migrations.RemoveField(
            model_name="routine",
            name="status",
        ),
    ]
