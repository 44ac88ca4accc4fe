"""The outbox's task arguments are stored without compression on PostgreSQL.

An e-mail's arguments carry its attachments in base64 (a PDF, QR codes, a calendar file: tens of KB),
which hardly compress; PostgreSQL still tried on every insert, about 1 ms of its CPU per e-mail.
Finished rows are deleted after OUTBOX_KEEP_DAYS, so the table stays small either way.
"""

from django.db import migrations


def _storage(kind: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE portal_outboxmessage ALTER COLUMN args SET STORAGE {kind}")

    return apply


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_finance_tax_permissions")]

    operations = [migrations.RunPython(_storage("EXTERNAL"), _storage("EXTENDED"))]
