"""`manage.py members_renew [--today YYYY-MM-DD] [--dry-run]`: what beat runs every morning (renewal
invoices, reminders, grace, lapse), by hand; with --dry-run, what it would do, changing and sending nothing."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members import services

LABELS = {
    "invoiced": "renewal invoices issued",
    "reminded": "reminders sent",
    "grace": "memberships entering grace",
    "lapsed": "memberships lapsed",
}


class Command(BaseCommand):
    help = "Run the membership renewals that beat runs daily (or show what they would do with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run as, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; change nothing")

    def handle(self, *args, today: str | None = None, dry_run: bool = False, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today takes a date written YYYY-MM-DD, not {today!r}.") from error
        with transaction.atomic():
            counts = services.memberships_renew(today=day)
            # Rolled back: nothing is written, and e-mails queued on commit are never sent.
            transaction.set_rollback(dry_run)
        verb = "would be" if dry_run else "done"
        for key, label in LABELS.items():
            self.stdout.write(f"{label}: {counts[key]}" + (f" ({verb})" if dry_run else ""))
