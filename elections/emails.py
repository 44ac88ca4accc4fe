"""The messages elections send. Nothing here ever carries a receipt code or a ballot's content.

Each mailing is recorded once (``Mailing``) and sent by a task (elections/tasks.py); the messages go
through the Celery mail backend (portal/core/mail.py), queued with the transaction that marks the
mailing sent.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from elections.models import Election, Mailing
from members.models import Organization


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d %B %Y %H:%M %Z}"


def _name(user: Any) -> str:
    return user.get_full_name() or user.email


def vote_link(election: Election, organization: Organization | None = None) -> str:
    """The voter's link to the ballot: it opens their own ballot once they are signed in, with the
    organisation they vote for chosen. No token: a ballot URL in a request log must not name its voter."""
    link = f"{settings.SITE_URL}/elections/{election.slug}/vote/"
    return f"{link}?organization={organization.pk}" if organization is not None else link


def _message(mailing: Mailing, user: Any, organization: Organization | None) -> tuple[str, str]:
    election = mailing.election
    page = f"{settings.SITE_URL}{election.get_absolute_url()}"
    on_behalf = f" on behalf of {organization.name}" if organization is not None else ""
    hello = f"Hello {_name(user)},\n\n"
    kind = mailing.kind
    if kind == Mailing.Kind.NOMINATIONS_OPEN:
        return (
            f"Nominations are open: {election.title}",
            hello + f"Nominations are open in {election.title} until {_when(election.nominations_close)}. "
            f"You may nominate{on_behalf} the people you would like to see stand:\n\n"
            f"{settings.SITE_URL}/elections/{election.slug}/nominate/\n",
        )
    if kind == Mailing.Kind.INVITED:
        return (
            f"You have been nominated in {election.title}",
            hello + f"Members have nominated you {election.nominations_required} or more times in "
            f"{election.title}. To stand, accept and write your statement before "
            f"{_when(election.acceptance_closes)}:\n\n"
            f"{settings.SITE_URL}/elections/{election.slug}/stand/\n",
        )
    if kind == Mailing.Kind.VOTING_OPEN:
        return (
            f"Voting is open: {election.title}",
            hello + f"Voting is open in {election.title} until {_when(election.voting_closes)}. "
            f"Your ballot{on_behalf}:\n\n{vote_link(election, organization)}\n\n"
            f"The candidates and their statements: {page}\n",
        )
    if kind == Mailing.Kind.REMINDER:
        return (
            f"Reminder: voting closes soon in {election.title}",
            hello + f"Voting in {election.title} closes on {_when(election.voting_closes)}, and no ballot"
            f"{on_behalf} has been cast yet. Your ballot:\n\n{vote_link(election, organization)}\n",
        )
    if kind == Mailing.Kind.RESULTS:
        return (
            f"Results: {election.title}",
            hello + f"The results of {election.title} are certified and published, with the ballots for a "
            f"recount and the list of receipt codes:\n\n{page}\n",
        )
    raise ValueError(f"Unknown mailing {kind!r}")


def send_mailing(mailing: Mailing, contacts: Sequence[tuple[Any, Organization | None]]) -> int:
    """One message per contact (a person, and the organisation they vote for); returns how many."""
    messages = []
    for user, organization in contacts:
        if not user.email:
            continue
        subject, body = _message(mailing, user, organization)
        messages.append(EmailMessage(subject, body, None, [user.email]))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)
