"""Events staff get the registration screens (portal/accounts/groups.py is the table)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("accounts", "0002_survey_moderation"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
