"""Reads for elections: the voter roll, the ballot paper, turnout, and what is published after the close."""

import datetime
import json
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from elections.models import Ballot, Candidate, Election, VoterRecord
from members.models import IndividualMember, Membership, Organization, OrganizationRole


def elections_listed() -> QuerySet[Election]:
    """Every election, newest first, with its ballot paper in ``ballot_list`` (one query for all of them)."""
    paper = Candidate.objects.filter(accepted_at__isnull=False, withdrawn_at__isnull=True).order_by("name", "pk")
    return Election.objects.prefetch_related(Prefetch("candidates", queryset=paper, to_attr="ballot_list")).order_by(
        "-voting_closes", "pk"
    )


def election_by_slug(slug: str) -> Election:
    return Election.objects.get(slug=slug)


def roll_cutoff(election: Election) -> datetime.datetime:
    """Membership must have begun before this instant: the start of the day after roll date minus N days."""
    last_day = election.roll_date - datetime.timedelta(days=election.membership_days)
    start = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start, timezone.get_default_timezone())


def eligible_individuals(election: Election) -> QuerySet[IndividualMember]:
    """Current individual members who joined at least ``membership_days`` before the roll date."""
    if election.electorate != Election.Electorate.INDIVIDUALS:
        return IndividualMember.objects.none()
    return IndividualMember.objects.filter(left_at__isnull=True, joined_at__lt=roll_cutoff(election))


def eligible_organizations(election: Election) -> QuerySet[Organization]:
    """Organisations in good standing at one of the election's tiers, members since the roll cut-off."""
    if election.electorate != Election.Electorate.ORGANIZATIONS:
        return Organization.objects.none()
    last_day = timezone.localdate(roll_cutoff(election)) - datetime.timedelta(days=1)
    standing = Membership.objects.filter(
        tier__in=election.tiers.all(), status__in=Membership.PUBLIC_STATUSES, starts__lte=last_day
    )
    return Organization.objects.filter(pk__in=standing.values("organization_id"))


def organizations_voting_through(user: Any, election: Election) -> QuerySet[Organization]:
    """The eligible organisations this person administers: they cast each one's single ballot."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    admins = OrganizationRole.objects.filter(user=user, role=OrganizationRole.Role.ADMIN)
    return eligible_organizations(election).filter(pk__in=admins.values("organization_id")).order_by("name")


def is_eligible_individual(user: Any, election: Election) -> bool:
    return getattr(user, "is_authenticated", False) and eligible_individuals(election).filter(user=user).exists()


def may_nominate(user: Any, election: Election) -> bool:
    """Whoever may vote may nominate."""
    if election.electorate == Election.Electorate.INDIVIDUALS:
        return is_eligible_individual(user, election)
    return organizations_voting_through(user, election).exists()


def may_stand(user: Any, election: Election) -> bool:
    """A nominee is a member of the election's kind: an individual member, or a person of an eligible organisation."""
    if election.electorate == Election.Electorate.INDIVIDUALS:
        return IndividualMember.objects.filter(user=user, left_at__isnull=True).exists()
    return OrganizationRole.objects.filter(user=user, organization__in=eligible_organizations(election)).exists()


def has_voted(election: Election, *, user: Any = None, organization: Organization | None = None) -> bool:
    if organization is not None:
        return VoterRecord.objects.filter(election=election, organization=organization).exists()
    return VoterRecord.objects.filter(election=election, user=user).exists()


def ballot_paper(election: Election) -> QuerySet[Candidate]:
    """The candidates on the ballot, in ballot-paper order (by name)."""
    return election.candidates.filter(accepted_at__isnull=False, withdrawn_at__isnull=True).order_by("name", "pk")


def candidates_for_page(election: Election) -> QuerySet[Candidate]:
    """The accepted candidates with their statements, for the public pages."""
    return ballot_paper(election).select_related("user")


def turnout(election: Election) -> dict[str, int]:
    """How many may vote and how many have; never who voted what."""
    if election.electorate == Election.Electorate.INDIVIDUALS:
        eligible = eligible_individuals(election).count()
    else:
        eligible = eligible_organizations(election).count()
    return {"eligible": eligible, "voted": VoterRecord.objects.filter(election=election).count()}


def published_ballots(election: Election) -> list[Any]:
    """The ballots' contents for a recount, sorted by their own content: no id, no receipt, no casting order."""
    contents = Ballot.objects.filter(election=election).values_list("content", flat=True)
    return sorted(contents, key=lambda c: json.dumps(c, sort_keys=True))


def published_receipts(election: Election) -> list[str]:
    """The receipt codes, sorted: a voter finds theirs; the list says nothing about any ballot."""
    return sorted(Ballot.objects.filter(election=election).values_list("receipt", flat=True))


def certified_results(election: Election) -> dict[str, Any] | None:
    """The counted results, once staff have certified them."""
    return election.results if election.status == Election.Status.CERTIFIED else None


def candidate_for_page(election: Election, slug: str) -> Candidate:
    """One candidate on the ballot, for their public page (DoesNotExist otherwise)."""
    return candidates_for_page(election).get(slug=slug)


def invitation_for(user: Any, election: Election) -> Candidate | None:
    """The person's candidacy in this election (invited, accepted or withdrawn), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return election.candidates.filter(user=user).first()


def nominee_choices(election: Election) -> list[tuple[int, str]]:
    """The people who may stand, as (user id, name) in name order: the nomination form's choices."""
    if election.electorate == Election.Electorate.INDIVIDUALS:
        members = IndividualMember.objects.filter(left_at__isnull=True).order_by("display_name", "pk")
        return list(members.values_list("user_id", "display_name"))
    roles = (
        OrganizationRole.objects.filter(organization__in=eligible_organizations(election))
        .select_related("user", "organization")
        .order_by("organization__name", "user__first_name", "user__last_name", "pk")
    )
    seen: dict[int, str] = {}
    for role in roles:
        name = role.user.get_full_name() or role.user.email
        seen.setdefault(role.user_id, f"{name} ({role.organization.name})")
    return list(seen.items())


def electorate_contacts(election: Election, *, not_voted: bool = False) -> list[tuple[Any, Organization | None]]:
    """Who hears from the election: each eligible member, or each administrator of an eligible organisation
    (with the organisation they vote for); with ``not_voted``, only those whose vote is not yet cast."""
    voted = VoterRecord.objects.filter(election=election)
    if election.electorate == Election.Electorate.INDIVIDUALS:
        members = eligible_individuals(election).select_related("user").order_by("pk")
        if not_voted:
            members = members.exclude(user__in=voted.filter(user__isnull=False).values("user_id"))
        return [(m.user, None) for m in members]
    organizations = eligible_organizations(election)
    if not_voted:
        organizations = organizations.exclude(pk__in=voted.filter(organization__isnull=False).values("organization_id"))
    roles = (
        OrganizationRole.objects.filter(organization__in=organizations, role=OrganizationRole.Role.ADMIN)
        .select_related("user", "organization")
        .order_by("organization__name", "pk")
    )
    return [(role.user, role.organization) for role in roles]


def elections_for_staff() -> list[tuple[Election, dict[str, int], list[str]]]:
    """Each election with its turnout and, once counted, the names of those elected (never ids)."""
    rows = []
    for election in elections_listed():
        winners: list[str] = []
        if election.results:
            names = election.results["names"]
            winners = [names.get(w, w) for w in election.results["tabulation"]["winners"]]
        rows.append((election, turnout(election), winners))
    return rows


def candidates_for_staff(election: Election) -> QuerySet[Candidate]:
    """Every candidacy in an election (invited, standing, withdrawn), with the nominations each received."""
    return election.candidates.select_related("user").order_by("name", "pk")
