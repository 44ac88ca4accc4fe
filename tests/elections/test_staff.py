"""Election staff: the group and its permissions, closing voting (early, audited), certifying, candidates."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import ModelLogEntry

from elections import services
from elections.models import Candidate, Election
from portal.accounts.groups import ELECTION_STAFF
from tests.elections.factories import DAY, candidate, election, voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def election_staff(staff_groups, staff_client_factory):
    return staff_client_factory(groups=[Group.objects.get(name=ELECTION_STAFF)])


def test_the_group_may_run_elections_and_certify(staff_groups):
    perms = set(Group.objects.get(name=ELECTION_STAFF).permissions.values_list("codename", flat=True))

    assert {"access_admin", "change_election", "certify_election", "change_candidate"} <= perms
    assert not {p for p in perms if "ballot" in p or "voterrecord" in p}  # never the ballots or who voted


def test_staff_close_voting_early_and_it_is_audited_as_early_then_certify(election_staff, client):
    vote = election(phase="voting")
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    services.ballot_cast(election=vote, user=voter(), content={"ada": 5, "bo": 1})
    scheduled = vote.voting_closes

    page = election_staff.get("/admin/elections-results/").content.decode()
    assert "Close voting now and count" in page
    election_staff.post("/admin/elections-results/", {"election": vote.pk, "action": "close"})

    vote.refresh_from_db()
    assert vote.status == Election.Status.COUNTED
    assert vote.voting_closes < scheduled and not vote.is_voting_open()
    entry = ModelLogEntry.objects.get(action="elections.election.close")
    assert entry.user == election_staff.user
    assert entry.data["early"] is True and entry.data["scheduled_close"] == scheduled.isoformat()
    page = election_staff.get("/admin/elections-results/").content.decode()
    assert "Counted, awaiting certification: elected Ada" in page  # names, not ids

    election_staff.post("/admin/elections-results/", {"election": vote.pk, "action": "certify"})
    vote.refresh_from_db()
    assert vote.status == Election.Status.CERTIFIED
    assert ModelLogEntry.objects.filter(action="elections.election.certify", user=election_staff.user).exists()


def test_no_ballot_after_an_early_close():
    from elections.exceptions import OutsidePeriod

    vote = election(phase="voting")
    candidate(vote, "Ada")
    services.election_close(election=vote, actor=None)

    with pytest.raises(OutsidePeriod):
        services.ballot_cast(election=vote, user=voter(), content={"ada": 5})


def test_certifying_needs_the_certify_permission(staff_groups, staff_client_factory):
    from django.contrib.auth.models import Permission

    clerk = staff_client_factory()
    clerk.user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "change_election", "view_election"])
    )
    vote = election(phase="closed")
    candidate(vote, "Ada")
    clerk.post("/admin/elections-results/", {"election": vote.pk, "action": "count"})
    vote.refresh_from_db()
    assert vote.status == Election.Status.COUNTED
    assert "Certify and publish" not in clerk.get("/admin/elections-results/").content.decode()

    response = clerk.post("/admin/elections-results/", {"election": vote.pk, "action": "certify"})

    assert (response.status_code, response.url) == (302, "/admin/")  # Wagtail's answer to PermissionDenied
    vote.refresh_from_db()
    assert vote.status == Election.Status.COUNTED


def test_staff_add_and_withdraw_candidates_before_voting_opens_and_not_after(election_staff):
    vote = election(phase="before-voting")
    person = voter(name="Cy Young")
    ada = candidate(vote, "Ada")

    election_staff.post(f"/admin/elections-candidates/{vote.pk}/", {"email": person.email, "name": ""})
    election_staff.post(f"/admin/elections-candidates/{vote.pk}/", {"withdraw": ada.pk})

    assert Candidate.objects.get(user=person).on_ballot
    assert not Candidate.objects.get(pk=ada.pk).on_ballot
    assert list(
        ModelLogEntry.objects.filter(user=election_staff.user, action__startswith="elections.candidate")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["elections.candidate.add", "elections.candidate.withdraw"]

    Election.objects.filter(pk=vote.pk).update(voting_opens=timezone.now() - DAY)
    page = election_staff.get(f"/admin/elections-candidates/{vote.pk}/").content.decode()
    assert "can no longer change" in page and "Add to the ballot" not in page
    response = election_staff.post(
        f"/admin/elections-candidates/{vote.pk}/", {"withdraw": Candidate.objects.get(user=person).pk}, follow=True
    )
    assert "Voting has opened" in response.content.decode()
    assert Candidate.objects.get(user=person).on_ballot


def test_an_unknown_address_is_shown_again_with_the_reason(election_staff):
    vote = election(phase="before-voting")

    page = election_staff.post(f"/admin/elections-candidates/{vote.pk}/", {"email": "nobody@example.org"})

    assert "No account has this e-mail address." in page.content.decode()
    assert not Candidate.objects.exists()


def test_people_outside_election_staff_see_no_election_screens(staff_groups, staff_client_factory):
    other = staff_client_factory(groups=[Group.objects.get(name="Finance")])
    vote = election()

    for url in ("/admin/elections-results/", f"/admin/elections-candidates/{vote.pk}/"):
        response = other.get(url)
        assert (response.status_code, response.url) == (302, "/admin/")
