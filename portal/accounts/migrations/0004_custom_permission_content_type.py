"""Data migration: a custom permission made before post_migrate belongs to the model that declares it.

`events.check_in_ticket` was once made under a content type named after its codename
("events.in_ticket", a model that does not exist) beside the real one; groups and users that hold
the stray permission get the real one, and the stray rows go.
"""

from django.db import migrations


def repair(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("portal", "User")
    stray_type = ContentType.objects.filter(app_label="events", model="in_ticket").first()
    if stray_type is None:
        return
    ticket_type, _ = ContentType.objects.get_or_create(app_label="events", model="ticket")
    for stray in Permission.objects.filter(content_type=stray_type):
        real, _ = Permission.objects.get_or_create(
            content_type=ticket_type,
            codename=stray.codename,
            defaults={"name": "Can check in tickets at the door"},
        )
        for group in Group.objects.filter(permissions=stray):
            group.permissions.add(real)
        for user in User.objects.filter(user_permissions=stray):
            user.user_permissions.add(real)
        stray.delete()
    stray_type.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_log_permission"),
        ("events", "0005_sponsorship_payment_method"),
        ("portal", "0004_event_pages"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
