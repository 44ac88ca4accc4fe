from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0010_outbox_args_uncompressed")]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="in_place_done",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
