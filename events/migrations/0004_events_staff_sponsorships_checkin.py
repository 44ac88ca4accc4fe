"""Events staff get check-in, sponsorships and the waiting lists (portal/accounts/groups.py is the table)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("events", "0003_waiting_list_sponsorships_checkin")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
