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


# Each mailing's subject and text, filled in with the fields _message gives them.
MESSAGES: dict[str, tuple[str, str]] = {
    Mailing.Kind.NOMINATIONS_OPEN: (
        "Nominations are open: {title}",
        "Nominations are open in {title} until {nominations_close}. You may nominate{on_behalf} the people you "
        "would like to see stand:\n\n{election_url}nominate/\n",
    ),
    Mailing.Kind.INVITED: (
        "You have been nominated in {title}",
        "Members have nominated you {nominations_required} or more times in {title}. To stand, accept and write "
        "your statement before {acceptance_closes}:\n\n{election_url}stand/\n",
    ),
    Mailing.Kind.VOTING_OPEN: (
        "Voting is open: {title}",
        "Voting is open in {title} until {voting_closes}. Your ballot{on_behalf}:\n\n{vote_link}\n\n"
        "The candidates and their statements: {page}\n",
    ),
    Mailing.Kind.REMINDER: (
        "Reminder: voting closes soon in {title}",
        "Voting in {title} closes on {voting_closes}, and no ballot{on_behalf} has been cast yet. Your ballot:"
        "\n\n{vote_link}\n",
    ),
    Mailing.Kind.RESULTS: (
        "Results: {title}",
        "The results of {title} are certified and published, with the ballots for a recount and the list of "
        "receipt codes:\n\n{page}\n",
    ),
}


def _message(mailing: Mailing, user: Any, organization: Organization | None) -> tuple[str, str]:
    if mailing.kind not in MESSAGES:
        raise ValueError(f"Unknown mailing {mailing.kind!r}")
    subject, text = MESSAGES[mailing.kind]
    election = mailing.election
    fields = {
        "title": election.title,
        "page": f"{settings.SITE_URL}{election.get_absolute_url()}",
        "election_url": f"{settings.SITE_URL}/elections/{election.slug}/",
        "vote_link": vote_link(election, organization),
        "on_behalf": f" on behalf of {organization.name}" if organization is not None else "",
        "nominations_required": election.nominations_required,
        "nominations_close": _when(election.nominations_close),
        "acceptance_closes": _when(election.acceptance_closes),
        "voting_closes": _when(election.voting_closes),
    }
    return subject.format(**fields), f"Hello {_name(user)},\n\n" + text.format(**fields)


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
