"""Tickets get a short code to read aloud and type at the door; existing tickets get theirs here."""

from django.db import migrations, models

import events.ticket_codes


def fill_short_codes(apps, schema_editor):
    Ticket = apps.get_model("events", "Ticket")
    taken = set()
    for ticket in Ticket.objects.filter(short_code__isnull=True).only("pk").iterator():
        code = events.ticket_codes.new_short_code()
        while code in taken:
            code = events.ticket_codes.new_short_code()
        taken.add(code)
        Ticket.objects.filter(pk=ticket.pk).update(short_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_names_plain_text_sponsor_logo_check"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="short_code",
            field=models.CharField(max_length=8, null=True, editable=False),
        ),
        migrations.RunPython(fill_short_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ticket",
            name="short_code",
            field=models.CharField(
                default=events.ticket_codes.new_short_code,
                editable=False,
                help_text="Printed under the QR code.",
                max_length=8,
                unique=True,
            ),
        ),
    ]
