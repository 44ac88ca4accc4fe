"""Data migration: Membership staff get the tier change requests queue (re-runs the idempotent group table)."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_organization_invitations_tier_changes"),
        ("accounts", "0003_audit_log_permission"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
