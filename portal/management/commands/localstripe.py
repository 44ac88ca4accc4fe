"""`manage.py localstripe`: start the fake Stripe with this site's webhook URL and secret."""

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.dev import localstripe as localstripe_server


class Command(BaseCommand):
    help = "Run localstripe on 127.0.0.1, state in var/, our webhook registered."

    def add_arguments(self, parser):
        parser.add_argument("--memory", action="store_true", help="keep no state file")
        parser.add_argument("--from-scratch", action="store_true")

    def handle(self, *args, memory=False, from_scratch=False, **options):
        argv = [
            "--port",
            str(settings.LOCALSTRIPE_PORT),
            "--webhook-url",
            f"{settings.SITE_URL}/payments/stripe/webhook/",
            "--webhook-secret",
            settings.STRIPE_WEBHOOK_SECRET,
            "--quiet",
        ]
        if not memory:
            argv += ["--state", str(settings.VAR_DIR / "localstripe.pickle")]
        if from_scratch:
            argv.append("--from-scratch")
        localstripe_server.main(argv)
