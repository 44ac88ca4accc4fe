"""Writes for elections: staff set them up, members nominate and vote, staff count and certify.

Casting a ballot is deliberately not audited: an audit row carries the voter and a timestamp, and the
secret ballot needs no record of when anyone voted beyond the fact that they did (``VoterRecord``).
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from elections import emails, selectors, tasks
from elections.exceptions import (
    AlreadyNominated,
    AlreadyVoted,
    ElectionFrozen,
    InvalidTransition,
    NotEligible,
    OutsidePeriod,
)
from elections.models import Ballot, Candidate, Election, Mailing, Nomination, VoterRecord
from elections.tabulation import tabulate, validate_ballot
from members.models import Organization
from portal.core.audit import audit
from portal.core.tasking import enqueue_on_commit

AUDIT_ACTIONS = {
    "elections.election.create": ("Create election", "Election created"),
    "elections.election.update": ("Change election", "Election changed"),
    "elections.candidate.add": ("Add candidate", "Candidate added by staff"),
    "elections.candidate.withdraw": ("Withdraw candidate", "Candidate withdrawn"),
    "elections.nomination.create": ("Nominate", "Nomination made"),
    "elections.candidate.invite": ("Invite candidate", "Nominee asked to stand"),
    "elections.candidate.accept": ("Accept candidacy", "Candidacy accepted"),
    "elections.election.close": ("Close voting", "Voting closed"),
    "elections.election.count": ("Count ballots", "Ballots counted"),
    "elections.election.certify": ("Certify results", "Results certified and published"),
}


def _move(election: Election, status: str) -> None:
    if status not in Election.TRANSITIONS[Election.Status(election.status)]:
        raise InvalidTransition(f"An election that is {election.get_status_display().lower()} cannot become {status}.")
    election.status = status


def election_create(*, actor: Any, tiers: Any = (), **fields: Any) -> Election:
    """Staff define an election; its tie-break seed is drawn now and published with it."""
    with transaction.atomic():
        election = Election(**fields)
        election.full_clean(exclude=["tiers"])
        election.save()
        if tiers:
            election.tiers.set(tiers)
        audit("elections.election.create", election, actor=actor, data={"slug": election.slug})
    return election


def election_update(*, election: Election, actor: Any, **changes: Any) -> Election:
    """Change an election; what ballots are cast against is frozen once voting opens."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        tiers = changes.pop("tiers", None)
        changed = {k for k, v in changes.items() if getattr(election, k) != v}
        if tiers is not None and set(tiers) != set(election.tiers.all()):
            changed.add("tiers")
        if election.is_frozen():
            frozen = changed & {*Election.FROZEN_FIELDS, "tiers"}
            if frozen or election.status != Election.Status.SCHEDULED:
                raise ElectionFrozen(
                    "Voting has opened: the method, seats, electorate and candidates can no longer change "
                    f"({', '.join(sorted(frozen)) or 'results being counted'})."
                )
        for key, value in changes.items():
            setattr(election, key, value)
        election.full_clean(exclude=["tiers"])
        election.save()
        if tiers is not None:
            election.tiers.set(tiers)
        audit("elections.election.update", election, actor=actor, data={"changed": sorted(changed)})
    return election


def _refuse_if_frozen(election: Election) -> None:
    if election.is_frozen():
        raise ElectionFrozen("Voting has opened: the candidates can no longer change.")


def _unique_slug(election: Election, name: str) -> str:
    base = slugify(name)[:90] or "candidate"
    slug, n = base, 2
    while election.candidates.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _display_name(user: Any) -> str:
    return user.get_full_name() or user.email


def candidate_add(*, election: Election, user: Any, actor: Any, name: str = "", statement: str = "") -> Candidate:
    """Staff put a person on the ballot directly (accepted), until voting opens."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        _refuse_if_frozen(election)
        name = name or _display_name(user)
        candidate, _ = Candidate.objects.update_or_create(
            election=election,
            user=user,
            defaults={"name": name, "statement": statement, "accepted_at": timezone.now(), "withdrawn_at": None},
            create_defaults={
                "name": name,
                "slug": _unique_slug(election, name),
                "statement": statement,
                "accepted_at": timezone.now(),
            },
        )
        audit("elections.candidate.add", candidate, actor=actor, data={"election": election.slug})
    return candidate


def candidate_withdraw(*, candidate: Candidate, actor: Any) -> Candidate:
    """A candidate leaves the ballot (their own choice or staff's), until voting opens."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=candidate.election_id)
        _refuse_if_frozen(election)
        candidate.withdrawn_at = timezone.now()
        candidate.save(update_fields=["withdrawn_at"])
        audit("elections.candidate.withdraw", candidate, actor=actor)
    return candidate


def nomination_create(*, election: Election, nominator: Any, nominee: Any) -> Nomination:
    """An eligible voter nominates a member of the right kind; at the threshold the nominee is asked to stand."""
    if not election.is_nominating():
        raise OutsidePeriod("Nominations are not open for this election.")
    if not selectors.may_nominate(nominator, election):
        raise NotEligible("Only those who may vote in this election may nominate.")
    if not selectors.may_stand(nominee, election):
        raise NotEligible("This person cannot stand in this election.")
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        try:
            with transaction.atomic():
                nomination = Nomination.objects.create(election=election, nominee=nominee, nominator=nominator)
        except IntegrityError:
            raise AlreadyNominated("You have already nominated this person.") from None
        audit("elections.nomination.create", nomination, actor=nominator)
        count = Nomination.objects.filter(election=election, nominee=nominee).count()
        if count >= election.nominations_required and not election.candidates.filter(user=nominee).exists():
            name = _display_name(nominee)
            candidate = Candidate.objects.create(
                election=election, user=nominee, name=name, slug=_unique_slug(election, name)
            )
            audit("elections.candidate.invite", candidate, actor=None, data={"nominations": count})
            mailing_schedule(election=election, kind=Mailing.Kind.INVITED, candidate=candidate)
    return nomination


def candidate_accept(*, candidate: Candidate, user: Any, statement: str, answers: list[str] | None = None) -> Candidate:
    """The nominee agrees to stand, with a statement and answers to the election's questions."""
    if candidate.user_id != user.pk:
        raise NotEligible("Only the nominee can accept a nomination.")
    if candidate.withdrawn_at is not None:
        raise NotEligible("This candidacy has been withdrawn.")
    if not candidate.election.is_accepting():
        raise OutsidePeriod("The time to accept nominations has passed.")
    with transaction.atomic():
        candidate.statement = statement
        candidate.answers = list(answers or [])
        candidate.accepted_at = timezone.now()
        candidate.full_clean()
        candidate.save(update_fields=["statement", "answers", "accepted_at"])
        audit("elections.candidate.accept", candidate, actor=user)
    return candidate


def ballot_cast(*, election: Election, user: Any, content: Any, organization: Organization | None = None) -> str:
    """Record that the voter voted and store their ballot, unlinked, in one transaction; returns the receipt.

    The database refuses a second ``VoterRecord`` for the same voter, so two tabs (or ten threads)
    voting at once cast one ballot: the others roll back with "you have already voted".
    """
    if not election.is_voting_open():
        raise OutsidePeriod("Voting is not open for this election.")
    if election.electorate == Election.Electorate.INDIVIDUALS:
        if organization is not None or not selectors.is_eligible_individual(user, election):
            raise NotEligible("You are not on the voter roll for this election.")
        voter = {"user": user}
    else:
        if (
            organization is None
            or not selectors.organizations_voting_through(user, election).filter(pk=organization.pk).exists()
        ):
            raise NotEligible("You do not cast this organisation's vote in this election.")
        voter = {"organization": organization}
    candidates = list(selectors.ballot_paper(election).values_list("slug", flat=True))
    normalised = validate_ballot(election.method, content, candidates, seats=election.seats)
    with transaction.atomic():
        # Staff closing the vote lock the row FOR UPDATE: a ballot is in before the count or refused.
        # NO KEY UPDATE conflicts with that, and not with the voter and ballot rows' foreign keys.
        locked = Election.objects.select_for_update(no_key=True).only("voting_opens", "voting_closes")
        if not locked.get(pk=election.pk).is_voting_open():
            raise OutsidePeriod("Voting is not open for this election.")
        try:
            VoterRecord.objects.create(election=election, **voter)
        except IntegrityError:
            raise AlreadyVoted("You have already voted in this election.") from None
        ballot = Ballot.objects.create(election=election, election_day=election.election_day, content=normalised)
    return ballot.receipt


def election_count(*, election: Election, actor: Any) -> Election:
    """After the close, count the ballots by the election's method; staff then certify."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if not election.has_closed():
            raise OutsidePeriod("Voting has not closed yet.")
        _move(election, Election.Status.COUNTED)
        paper = list(selectors.ballot_paper(election))
        result = tabulate(
            election.method,
            [c.slug for c in paper],
            selectors.published_ballots(election),
            seats=election.seats,
            tie_seed=election.tie_seed,
        )
        election.results = {
            "names": {c.slug: c.name for c in paper},
            "turnout": selectors.turnout(election),
            "tabulation": result.to_dict(),
        }
        election.save(update_fields=["status", "results"])
        audit("elections.election.count", election, actor=actor, data={"winners": list(result.winners)})
    return election


def election_certify(*, election: Election, actor: Any) -> Election:
    """Staff certify the count: the results, ballots and receipts are published."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        _move(election, Election.Status.CERTIFIED)
        election.certified_at = timezone.now()
        election.save(update_fields=["status", "certified_at"])
        audit("elections.election.certify", election, actor=actor)
        mailing_schedule(election=election, kind=Mailing.Kind.RESULTS)
    return election


def election_close(*, election: Election, actor: Any) -> Election:
    """Staff close voting, before its scheduled end if need be (audited as early), and the ballots are counted."""
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        now = timezone.now()
        if now < election.voting_opens:
            raise OutsidePeriod("Voting has not opened yet.")
        if election.status != Election.Status.SCHEDULED:
            raise InvalidTransition("The ballots of this election have been counted already.")
        scheduled = election.voting_closes
        early = now < scheduled
        if early:
            # Ballots already cast keep the scheduled day: it stays the one date every ballot carries.
            election.voting_closes = now
            election.save(update_fields=["voting_closes"])
        audit(
            "elections.election.close",
            election,
            actor=actor,
            data={"early": early, "scheduled_close": scheduled.isoformat(), "closed": now.isoformat()},
        )
        return election_count(election=election, actor=actor)


# --- Mailings -------------------------------------------------------------------------------------


def mailing_schedule(*, election: Election, kind: str, candidate: Candidate | None = None) -> Mailing | None:
    """Record a mailing and queue its task with the transaction; None if it was recorded before (sent once)."""
    key = kind if candidate is None else f"{kind}:{candidate.pk}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                mailing = Mailing.objects.create(election=election, kind=kind, candidate=candidate, key=key)
        except IntegrityError:
            return None
        enqueue_on_commit(tasks.send_mailing, mailing.pk)
    return mailing


def _reminder_before() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.ELECTIONS_REMINDER_HOURS)


def _results_mailing_window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.ELECTIONS_RESULTS_MAIL_DAYS)


def _mailings_due(election: Election, now: datetime.datetime, already: set[str]) -> list[str]:
    due = []
    if election.is_nominating(now):
        due.append(Mailing.Kind.NOMINATIONS_OPEN)
    if election.is_voting_open(now):
        due.append(Mailing.Kind.VOTING_OPEN)
        # One reminder, near the close, and never in the same run as the news that voting opened.
        if Mailing.Kind.VOTING_OPEN in already and now >= election.voting_closes - _reminder_before():
            due.append(Mailing.Kind.REMINDER)
    if (
        election.status == Election.Status.CERTIFIED
        and election.certified_at is not None
        and now - election.certified_at <= _results_mailing_window()
    ):
        due.append(Mailing.Kind.RESULTS)
    return [kind for kind in due if kind not in already]


def election_mailings_schedule(*, now: datetime.datetime | None = None) -> list[Mailing]:
    """Beat: queue each electorate mailing whose moment has come; each goes out once, however often this runs."""
    now = now or timezone.now()
    recent = now - _results_mailing_window() - datetime.timedelta(days=1)
    scheduled = []
    for election in Election.objects.filter(voting_closes__gte=recent).prefetch_related("mailings"):
        already = {m.key for m in election.mailings.all()}
        for kind in _mailings_due(election, now, already):
            mailing = mailing_schedule(election=election, kind=kind)
            if mailing is not None:
                scheduled.append(mailing)
    return scheduled


def mailing_send(*, mailing_id: int) -> int:
    """Send one recorded mailing to its recipients; a second run (a redelivered task) sends nothing."""
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update(of=("self",))
            .select_related("election", "candidate__user")
            .get(pk=mailing_id)
        )
        if mailing.sent_at is not None:
            return 0
        election = mailing.election
        contacts: list[tuple[Any, Organization | None]]
        if mailing.candidate is not None:  # the one nominee asked to stand
            contacts = [(mailing.candidate.user, None)]
        else:
            not_voted = mailing.kind == Mailing.Kind.REMINDER
            contacts = selectors.electorate_contacts(election, not_voted=not_voted)
        # The messages are queued in this transaction (portal/core/mail.py): sent with the mark, or not at all.
        sent = emails.send_mailing(mailing, contacts)
        mailing.sent_at = timezone.now()
        mailing.recipients = sent
        mailing.save(update_fields=["sent_at", "recipients"])
    return sent
