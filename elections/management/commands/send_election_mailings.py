"""`manage.py send_election_mailings`: what beat runs every quarter of an hour, by hand. Each mailing
(nominations open, voting open, the reminder, results) goes out once, however often this runs."""

from django.core.management.base import BaseCommand

from elections import services


class Command(BaseCommand):
    help = "Queue the election mailings whose moment has come (each is sent once)."

    def handle(self, *args, **options):
        scheduled = services.election_mailings_schedule()
        for mailing in scheduled:
            self.stdout.write(f"{mailing.election.title}: {mailing.get_kind_display()}")
        self.stdout.write(f"mailings queued: {len(scheduled)}")
