"""Setting up, nominating, voting, counting and certifying, through the services."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from elections import selectors, services
from elections.exceptions import (
    AlreadyNominated,
    AlreadyVoted,
    ElectionFrozen,
    InvalidBallot,
    InvalidTransition,
    NotEligible,
    OutsidePeriod,
)
from elections.models import Ballot, Candidate, Election, VoterRecord
from members.models import Membership, OrganizationRole
from tests.accounts.factories import UserFactory
from tests.elections.factories import DAY, candidate, election, voter
from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, role_for

pytestmark = pytest.mark.django_db


# --- Who may vote ------------------------------------------------------------------------------


def test_individuals_vote_only_if_they_joined_n_days_before_the_roll_date():
    vote = election(membership_days=90)
    cutoff = vote.roll_date - datetime.timedelta(days=90)
    old_enough = voter(joined_days_ago=(timezone.localdate() - cutoff).days)  # joined on the last day that counts
    too_new = voter(joined_days_ago=(timezone.localdate() - cutoff).days - 1)
    left = voter(joined_days_ago=1000)
    left.individual_memberships.update(left_at=timezone.now())

    assert selectors.is_eligible_individual(old_enough, vote)
    assert not selectors.is_eligible_individual(too_new, vote)
    assert not selectors.is_eligible_individual(left, vote)
    assert not selectors.is_eligible_individual(UserFactory(), vote)  # not a member at all
    assert selectors.turnout(vote) == {"eligible": 1, "voted": 0}


def test_organisations_of_the_given_tiers_vote_once_through_an_administrator():
    gold, silver = MembershipTierFactory(name="Gold"), MembershipTierFactory(name="Silver")
    vote = election(electorate=Election.Electorate.ORGANIZATIONS, tiers=[gold])
    acme = OrganizationFactory(name="Acme")
    MembershipFactory(organization=acme, tier=gold)
    lapsed = OrganizationFactory(name="Lapsed Inc")
    MembershipFactory(organization=lapsed, tier=gold, status=Membership.Status.LAPSED)
    silver_org = OrganizationFactory(name="Silver Co")
    MembershipFactory(organization=silver_org, tier=silver)
    admin = role_for(acme, OrganizationRole.Role.ADMIN)
    other_admin = role_for(acme, OrganizationRole.Role.ADMIN)
    billing = role_for(acme, OrganizationRole.Role.BILLING)
    candidate(vote, "Ada")

    assert list(selectors.eligible_organizations(vote)) == [acme]
    assert list(selectors.organizations_voting_through(admin, vote)) == [acme]
    assert not selectors.organizations_voting_through(billing, vote).exists()

    services.ballot_cast(election=vote, user=admin, organization=acme, content={"ada": 5})
    with pytest.raises(AlreadyVoted):
        services.ballot_cast(election=vote, user=other_admin, organization=acme, content={"ada": 1})
    with pytest.raises(NotEligible):
        services.ballot_cast(election=vote, user=billing, organization=acme, content={"ada": 1})
    assert Ballot.objects.filter(election=vote).count() == 1


# --- Casting ----------------------------------------------------------------------------------


def test_a_voter_votes_once_and_gets_a_receipt_that_is_published_with_the_others():
    vote = election()
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    member = voter()

    receipt = services.ballot_cast(election=vote, user=member, content={"ada": 5, "bo": 2})

    with pytest.raises(AlreadyVoted, match="already voted"):
        services.ballot_cast(election=vote, user=member, content={"ada": 0, "bo": 5})
    assert selectors.has_voted(vote, user=member)
    assert selectors.published_receipts(vote) == [receipt]
    assert selectors.published_ballots(vote) == [{"ada": 5, "bo": 2}]
    assert selectors.turnout(vote) == {"eligible": 1, "voted": 1}


def test_the_database_itself_refuses_a_second_voter_record():
    vote = election()
    member = voter()
    VoterRecord.objects.create(election=vote, user=member)

    with pytest.raises(IntegrityError):
        VoterRecord.objects.create(election=vote, user=member)


def test_an_invalid_ballot_is_refused_and_leaves_no_trace():
    vote = election()
    candidate(vote, "Ada")
    member = voter()

    with pytest.raises(InvalidBallot):
        services.ballot_cast(election=vote, user=member, content={"ada": 9})
    with pytest.raises(InvalidBallot):
        services.ballot_cast(election=vote, user=member, content={"withdrawn-person": 3})

    assert not VoterRecord.objects.exists()
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("phase", ["before-voting", "closed"])
def test_no_ballot_outside_the_voting_period(phase):
    vote = election(phase=phase)
    candidate(vote, "Ada")

    with pytest.raises(OutsidePeriod):
        services.ballot_cast(election=vote, user=voter(), content={"ada": 5})


def test_someone_off_the_roll_cannot_vote():
    vote = election(membership_days=365)
    candidate(vote, "Ada")

    with pytest.raises(NotEligible):
        services.ballot_cast(election=vote, user=voter(joined_days_ago=10), content={"ada": 5})
    assert not Ballot.objects.exists()


# --- Freezing and staff actions ----------------------------------------------------------------


def test_method_seats_and_candidates_freeze_when_voting_opens():
    staff = UserFactory()
    vote = election(method=Election.Method.BLOC_STAR, seats=2)
    ada = candidate(vote, "Ada")

    with pytest.raises(ElectionFrozen):
        services.election_update(election=vote, actor=staff, seats=3)
    with pytest.raises(ElectionFrozen):
        services.election_update(election=vote, actor=staff, method=Election.Method.APPROVAL)
    with pytest.raises(ElectionFrozen):
        services.candidate_add(election=vote, user=UserFactory(), actor=staff)
    with pytest.raises(ElectionFrozen):
        services.candidate_withdraw(candidate=ada, actor=staff)
    services.election_update(election=vote, actor=staff, description="Two seats for two years.")  # prose may change

    vote.refresh_from_db()
    assert (vote.method, vote.seats, vote.description) == ("bloc_star", 2, "Two seats for two years.")


def test_before_voting_opens_staff_may_change_the_election_and_each_change_is_audited():
    from wagtail.models import ModelLogEntry

    staff = UserFactory()
    vote = election(phase="before-voting", method=Election.Method.BLOC_STAR, seats=2)

    services.election_update(election=vote, actor=staff, seats=3)
    added = services.candidate_add(election=vote, user=UserFactory(first_name="Cy", last_name="Young"), actor=staff)

    assert Election.objects.get(pk=vote.pk).seats == 3
    assert added.on_ballot and added.slug == "cy-young"
    assert list(ModelLogEntry.objects.filter(user=staff).values_list("action", flat=True).order_by("pk")) == [
        "elections.election.update",
        "elections.candidate.add",
    ]


# --- Nominations --------------------------------------------------------------------------------


def test_a_nominee_reaching_the_threshold_is_asked_to_stand_and_accepts(mailoutbox, django_capture_on_commit_callbacks):
    vote = election(phase="nominations", nominations_required=2)
    nominee = voter(name="Nia Nominee")
    first, second = voter(name="First"), voter(name="Second")

    services.nomination_create(election=vote, nominator=first, nominee=nominee)
    with pytest.raises(AlreadyNominated):
        services.nomination_create(election=vote, nominator=first, nominee=nominee)
    assert not Candidate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.nomination_create(election=vote, nominator=second, nominee=nominee)

    invited = Candidate.objects.get(election=vote, user=nominee)
    assert not invited.on_ballot
    assert [m.to for m in mailoutbox] == [[nominee.email]]
    assert "You have been nominated in Board of Directors 2027" in mailoutbox[0].subject
    services.candidate_accept(candidate=invited, user=nominee, statement="I will listen.", answers=["Yes"])
    assert list(selectors.ballot_paper(vote)) == [invited]


def test_only_eligible_voters_nominate_and_only_members_stand():
    vote = election(phase="nominations")
    with pytest.raises(NotEligible):
        services.nomination_create(election=vote, nominator=UserFactory(), nominee=voter())
    with pytest.raises(NotEligible):
        services.nomination_create(election=vote, nominator=voter(), nominee=UserFactory())
    closed = election(phase="voting", slug="other")
    with pytest.raises(OutsidePeriod):
        services.nomination_create(election=closed, nominator=voter(), nominee=voter())


def test_only_the_nominee_accepts_and_only_in_time():
    vote = election(phase="acceptance")
    invited = Candidate.objects.create(election=vote, user=voter(), name="Nia", slug="nia")

    with pytest.raises(NotEligible):
        services.candidate_accept(candidate=invited, user=voter(), statement="")
    late = election(phase="before-voting", slug="late")
    late_invite = Candidate.objects.create(election=late, user=invited.user, name="Nia", slug="nia")
    with pytest.raises(OutsidePeriod):
        services.candidate_accept(candidate=late_invite, user=invited.user, statement="")


# --- Counting and certifying ------------------------------------------------------------------


def test_count_after_close_then_certify_publishes_the_results():
    staff = UserFactory()
    vote = election(method=Election.Method.SCHULZE, seats=2)
    for name in ("Ada", "Bo", "Cy"):
        candidate(vote, name)
    for order in (["ada", "bo", "cy"], ["bo", "ada"], ["ada", "cy"]):
        services.ballot_cast(election=vote, user=voter(), content=order)

    with pytest.raises(OutsidePeriod):
        services.election_count(election=vote, actor=staff)
    Election.objects.filter(pk=vote.pk).update(
        voting_opens=timezone.now() - 3 * DAY, voting_closes=timezone.now() - DAY
    )
    vote.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.election_certify(election=vote, actor=staff)

    counted = services.election_count(election=vote, actor=staff)
    assert selectors.certified_results(counted) is None  # not public until certified
    certified = services.election_certify(election=counted, actor=staff)

    results = selectors.certified_results(certified)
    assert results["tabulation"]["winners"] == ["ada", "bo"]
    assert results["names"] == {"ada": "Ada", "bo": "Bo", "cy": "Cy"}
    assert results["turnout"] == {"eligible": 3, "voted": 3}
    assert results["tabulation"]["pairwise"]["ada"] == {"bo": 2, "cy": 3}
