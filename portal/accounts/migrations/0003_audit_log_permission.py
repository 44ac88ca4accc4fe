"""Data migration: Finance, Membership staff and Events staff may read the audit log."""

from django.db import migrations


def grant(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_survey_moderation"), ("events", "0002_events_staff_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
