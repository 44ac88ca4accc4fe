"""`manage.py load_demo`: the demo foundation. Idempotent: a second run changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.site import demo


class Command(BaseCommand):
    help = "Load the demo foundation (pages, staff account, …). Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            staff_email, staff_password, created = demo.load()
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        if created:
            self.stdout.write(f"Demo staff login: {staff_email} / {staff_password}  (http://127.0.0.1:8000/admin/)")
        else:
            self.stdout.write(f"Demo staff login: {staff_email} (password unchanged since it was created)")
        secret = demo.staff_totp_secret()
        if secret:
            self.stdout.write(
                f"  Two-factor key (add it to an authenticator app): {secret}\n"
                "  Or print the current code: DEBUG=1 .venv/bin/python manage.py totp_code"
            )
