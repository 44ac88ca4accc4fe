"""The receipt is sent by a task after the success commits, once: payments paid before were sent theirs."""

from django.db import migrations, models


def mark_sent(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.filter(succeeded_at__isnull=False, is_duplicate=False).update(receipt_sent_at=models.F("succeeded_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_finance_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="receipt_sent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_sent, migrations.RunPython.noop),
    ]
