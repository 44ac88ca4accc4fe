"""Data migration: the staff groups (Content editors, Membership staff, Events staff, Finance)."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
