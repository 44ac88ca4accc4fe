"""Data migration: Finance keep the tax rules and rates (re-runs the idempotent group table)."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups  # noqa: PLC0415 - migrations run with historical apps

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_tax_rates_and_rules"),
        ("accounts", "0004_custom_permission_content_type"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
