"""Organisations and applications take the shared industry list (portal/core/industries.py): their stored
values stay, the list gains "other". Going back, "other" becomes no industry."""

from django.db import migrations, models

CHOICES = [
    ("cloud", "Public cloud"),
    ("telecom", "Telecommunications"),
    ("hardware", "Hardware and semiconductors"),
    ("software", "Software and services"),
    ("finance", "Financial services"),
    ("retail", "Retail and e-commerce"),
    ("research", "Academic and research"),
    ("government", "Energy, transportation and government"),
    ("manufacturing", "Manufacturing"),
    ("media", "Web and entertainment"),
    ("nonprofit", "Non-profit"),
    ("other", "Other"),
]


def other_to_blank(apps, schema_editor):
    for model in ("Organization", "MembershipApplication"):
        apps.get_model("members", model).objects.filter(industry="other").update(industry="")


class Migration(migrations.Migration):
    dependencies = [("members", "0007_individual_members_staff")]

    operations = [
        migrations.AlterField(
            model_name="membershipapplication",
            name="industry",
            field=models.CharField(blank=True, choices=CHOICES, max_length=30),
        ),
        migrations.AlterField(
            model_name="organization",
            name="industry",
            field=models.CharField(blank=True, choices=CHOICES, max_length=30),
        ),
        migrations.RunPython(migrations.RunPython.noop, other_to_blank),
    ]
