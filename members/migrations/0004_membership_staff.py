"""Data migration: Membership staff get the membership screens (re-runs the idempotent group table)."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_membership_statuses"),
        ("accounts", "0002_survey_moderation"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
