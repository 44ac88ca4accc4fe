"""Data migration: Content editors moderate the user survey (re-runs the idempotent group table)."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_staff_groups"),
        ("adoption", "0001_initial"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
