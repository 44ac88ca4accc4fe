"""/api/v1/elections/ and the certified results, with the ballots for a recount and nothing about voters."""

import pytest
from django.utils import timezone

from elections import services
from elections.models import Election
from tests.accounts.factories import UserFactory
from tests.elections.factories import DAY, candidate, election, voter

pytestmark = pytest.mark.django_db


def _closed_and_certified():
    vote = election(method=Election.Method.APPROVAL, seats=1)
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    members = [voter(name=f"Member {n}") for n in range(3)]
    receipts = [
        services.ballot_cast(election=vote, user=m, content=c)
        for m, c in zip(members, [["ada"], ["ada", "bo"], ["bo", "ada"]], strict=True)
    ]
    Election.objects.filter(pk=vote.pk).update(
        voting_opens=timezone.now() - 3 * DAY, voting_closes=timezone.now() - DAY
    )
    staff = UserFactory()
    services.election_count(election=vote, actor=staff)
    return vote, members, receipts, staff


def test_the_list_shows_each_election_with_its_periods_and_ballot_paper(client, django_assert_max_num_queries):
    vote = election()
    candidate(vote, "Bo")
    candidate(vote, "Ada")
    election(slug="older", phase="closed")

    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/elections/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["slug"] for r in rows] == ["board-2027", "older"]
    assert rows[0]["candidates"] == ["Ada", "Bo"]
    assert rows[0]["tie_seed"] == "published-seed"
    assert rows[0]["results_url"].endswith("/api/v1/elections/board-2027/results/")


def test_results_are_hidden_until_certified_then_published_with_ballots_and_receipts(client):
    vote, members, receipts, staff = _closed_and_certified()

    assert client.get(f"/api/v1/elections/{vote.slug}/results/").status_code == 404
    services.election_certify(election=vote, actor=staff)
    response = client.get(f"/api/v1/elections/{vote.slug}/results/")

    assert response.status_code == 200
    data = response.json()
    assert data["winners"] == ["Ada"]
    assert data["tabulation"]["approvals"] == {"ada": 3, "bo": 2}
    assert sorted(data["ballots"]) == [["ada"], ["ada", "bo"], ["ada", "bo"]]  # sorted by content, not casting
    assert data["receipts"] == sorted(receipts)
    assert data["turnout"] == {"eligible": 3, "voted": 3}
    body = response.content.decode()
    for member in members:  # nothing in the published results names or points to a voter
        assert member.email not in body
        assert str(member.pk) not in data["receipts"]
