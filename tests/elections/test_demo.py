"""The demo shows a past election with certified results and one open for voting, once."""

import pytest

from elections import demo as elections_demo
from elections.models import Ballot, Election
from members import demo as members_demo
from members.models import IndividualMember
from portal.site import demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_certified_election_and_an_open_one_once(client):
    demo.ensure_members()
    members_demo.load()
    elections_demo.load()
    elections_demo.load()

    past = Election.objects.get(slug=elections_demo.PAST)
    current = Election.objects.get(slug=elections_demo.OPEN)
    assert past.status == Election.Status.CERTIFIED
    assert past.results["tabulation"]["winners"] == ["amara-okonkwo", "lucia-ferreyra"]  # 4 and 3 votes
    assert Ballot.objects.filter(election=past).count() == 4
    assert current.is_voting_open()
    page = client.get("/elections/individual-directors-2026/").content.decode()
    assert "<strong>Elected:</strong> Amara Okonkwo, Lucía Ferreyra" in page

    client.force_login(IndividualMember.objects.get(slug="kenji-arakawa").user)
    response = client.post(
        "/elections/individual-directors-2027/vote/", {"score-amara-okonkwo": "4", "score-henrik-solberg": "5"}
    )
    assert response.status_code == 200
    assert Ballot.objects.filter(election=current).count() == 1
