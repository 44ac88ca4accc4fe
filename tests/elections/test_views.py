"""The ballot page without JavaScript, the results page, and the published ballots and receipts."""

import csv
import io

import pytest
from django.utils import timezone

from elections import selectors, services
from elections.models import Ballot, Election
from tests.accounts.factories import UserFactory
from tests.elections.factories import DAY, candidate, election, voter

pytestmark = pytest.mark.django_db


def _close(vote):
    Election.objects.filter(pk=vote.pk).update(
        voting_opens=timezone.now() - 3 * DAY, voting_closes=timezone.now() - DAY
    )
    vote.refresh_from_db()
    staff = UserFactory()
    services.election_count(election=vote, actor=staff)
    return services.election_certify(election=vote, actor=staff)


def test_a_member_scores_the_candidates_and_gets_a_receipt(client):
    vote = election()
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    member = voter()
    client.force_login(member)

    page = client.get("/elections/board-2027/vote/")
    assert page.status_code == 200
    assert 'name="score-ada"' in page.content.decode()

    response = client.post("/elections/board-2027/vote/", {"score-ada": "5", "score-bo": "2"})

    assert response.status_code == 200
    receipt = Ballot.objects.get().receipt
    assert receipt in response.content.decode()
    assert Ballot.objects.get().content == {"ada": 5, "bo": 2}
    again = client.get("/elections/board-2027/vote/")
    assert "already voted" in again.content.decode()


def test_a_ranked_ballot_posted_from_the_form_keeps_equal_ranks(client):
    vote = election(method=Election.Method.SCHULZE)
    for name in ("Ada", "Bo", "Cy"):
        candidate(vote, name)
    client.force_login(voter())

    client.post("/elections/board-2027/vote/", {"rank-ada": "2", "rank-bo": "1", "rank-cy": "2"})

    assert Ballot.objects.get().content == ["bo", ["ada", "cy"]]


def test_a_bad_ballot_is_shown_again_with_the_reason(client):
    vote = election(method=Election.Method.CUMULATIVE, seats=2)
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    client.force_login(voter())

    response = client.post("/elections/board-2027/vote/", {"votes-ada": "2", "votes-bo": "1"})

    assert response.status_code == 400
    assert "at most 2 votes" in response.content.decode()
    assert not Ballot.objects.exists()


def test_someone_off_the_roll_sees_no_ballot(client):
    vote = election()
    candidate(vote, "Ada")
    client.force_login(UserFactory())

    response = client.get("/elections/board-2027/vote/")

    assert "not on the voter roll" in response.content.decode()
    assert 'name="score-ada"' not in response.content.decode()


def test_the_results_page_and_the_published_ballots_agree_with_the_count(client):
    vote = election(method=Election.Method.STAR)
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    for scores in ({"ada": 5, "bo": 1}, {"ada": 2, "bo": 4}, {"ada": 4, "bo": 3}):
        services.ballot_cast(election=vote, user=voter(), content=scores)
    assert client.get("/elections/board-2027/ballots.csv").status_code == 404  # not before certification

    _close(vote)
    page = client.get("/elections/board-2027/").content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/elections/board-2027/ballots.csv").content.decode())))
    receipts = client.get("/elections/board-2027/receipts.txt").content.decode().split()

    assert "<strong>Elected:</strong> Ada" in page
    assert "Automatic runoff" in page
    assert rows[0] == ["Ada", "Bo"]
    assert sorted(rows[1:]) == [["2", "4"], ["4", "3"], ["5", "1"]]
    assert receipts == selectors.published_receipts(vote)
    assert client.get("/elections/board-2027/ballots.json").json()["ballots"] == selectors.published_ballots(vote)


def test_the_schulze_results_page_shows_the_matrices(client):
    vote = election(method=Election.Method.SCHULZE)
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    services.ballot_cast(election=vote, user=voter(), content=["ada", "bo"])
    _close(vote)

    page = client.get("/elections/board-2027/").content.decode()

    assert "Pairwise preferences" in page and "Strongest paths" in page
    assert "Schulze ranking: Ada > Bo" in page


def test_the_list_page_links_each_election(client):
    election()
    response = client.get("/elections/")
    assert 'href="/elections/board-2027/"' in response.content.decode()


def test_casting_a_ballot_logs_nothing_that_names_the_voter(client, caplog):
    vote = election()
    candidate(vote, "Ada")
    member = voter()
    client.force_login(member)

    with caplog.at_level("DEBUG"):
        client.post("/elections/board-2027/vote/", {"score-ada": "3"})

    assert Ballot.objects.count() == 1
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("django.db"))
    assert member.email not in logged
    assert Ballot.objects.get().receipt not in logged


def test_the_personal_link_of_an_organisation_admin_chooses_their_organisation(client):
    from members.models import OrganizationRole
    from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, role_for

    gold = MembershipTierFactory(name="Gold")
    vote = election(electorate=Election.Electorate.ORGANIZATIONS, tiers=[gold])
    candidate(vote, "Ada")
    acme, bolt = OrganizationFactory(name="Acme"), OrganizationFactory(name="Bolt")
    for organization in (acme, bolt):
        MembershipFactory(organization=organization, tier=gold)
    admin = role_for(acme, OrganizationRole.Role.ADMIN)
    role_for(bolt, OrganizationRole.Role.ADMIN, user=admin)
    client.force_login(admin)

    page = client.get(f"/elections/board-2027/vote/?organization={bolt.pk}").content.decode()
    assert f'<option value="{bolt.pk}" selected>Bolt</option>' in page
    assert f'<option value="{acme.pk}">Acme</option>' in page

    client.post("/elections/board-2027/vote/", {"organization": bolt.pk, "score-ada": "4"})

    assert selectors.has_voted(vote, organization=bolt) and not selectors.has_voted(vote, organization=acme)
