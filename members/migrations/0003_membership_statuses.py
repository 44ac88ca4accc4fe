"""Data migration: the first membership statuses to the membership workflow's (pending → approved, cancelled → canceled)."""

from django.db import migrations

RENAMES = {"pending": "approved", "cancelled": "canceled"}


def forwards(apps, schema_editor):
    Membership = apps.get_model("members", "Membership")
    for old, new in RENAMES.items():
        Membership.objects.filter(status=old).update(status=new)


def backwards(apps, schema_editor):
    Membership = apps.get_model("members", "Membership")
    for old, new in RENAMES.items():
        Membership.objects.filter(status=new).update(status=old)
    Membership.objects.filter(status="grace").update(status="active")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_membership_workflow")]

    operations = [migrations.RunPython(forwards, backwards)]
