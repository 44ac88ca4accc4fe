"""`manage.py totp_code [email]`: the authenticator code a person's app shows now (development aid).

The demo staff account needs a second factor for the admin; this prints it without a phone.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.mfa import totp_code, totp_secret_for
from portal.models import User
from portal.site.demo import DEMO_STAFF_EMAIL


class Command(BaseCommand):
    help = "Print the current two-factor code of an account (the demo staff by default). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default=DEMO_STAFF_EMAIL)

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("totp_code is a development aid: it runs with DEBUG=1 only.")
        user = User.objects.filter(email__iexact=email).first()
        secret = totp_secret_for(user) if user else None
        if secret is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        self.stdout.write(totp_code(secret))
