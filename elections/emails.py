"""The messages elections send. Nothing here ever carries a receipt code or a ballot's content."""

from django.conf import settings
from django.core.mail import send_mail

from elections.models import Candidate


def send_invited_to_stand(candidate: Candidate) -> None:
    """The nominee reached the threshold: will they stand? (accept by the acceptance deadline)."""
    election = candidate.election
    send_mail(
        f"You have been nominated in {election.title}",
        f"Hello {candidate.name},\n\n"
        f"Members have nominated you {election.nominations_required} or more times in {election.title}. "
        f"To stand, accept and write your statement before "
        f"{election.acceptance_closes:%d %B %Y %H:%M %Z}:\n\n"
        f"{settings.SITE_URL}{election.get_absolute_url()}\n",
        None,
        [candidate.user.email],
    )
