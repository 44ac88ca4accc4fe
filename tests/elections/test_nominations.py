"""Nominating, accepting and the candidates' public pages, as members and nominees use them (no JavaScript)."""

import pytest

from elections.models import Candidate, Election, Mailing, Nomination
from tests.accounts.factories import UserFactory
from tests.elections.factories import election, voter
from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, role_for

pytestmark = pytest.mark.django_db


def test_members_nominate_until_the_threshold_then_the_nominee_is_asked_to_stand(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    vote = election(phase="nominations", nominations_required=2, questions=["Why you?"])
    nia = voter(name="Nia Nominee")
    first, second = voter(name="First"), voter(name="Second")

    client.force_login(first)
    page = client.get("/elections/board-2027/nominate/").content.decode()
    assert '<label for="id_nominee">Person to nominate' in page
    assert f'<option value="{nia.pk}">Nia Nominee</option>' in page
    response = client.post("/elections/board-2027/nominate/", {"nominee": nia.pk}, follow=True)
    assert "You nominated Nia Nominee." in response.content.decode()
    again = client.post("/elections/board-2027/nominate/", {"nominee": nia.pk})
    assert again.status_code == 400
    assert "already nominated this person" in again.content.decode()
    assert not Candidate.objects.exists() and not mailoutbox

    client.force_login(second)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/elections/board-2027/nominate/", {"nominee": nia.pk})

    invited = Candidate.objects.get(election=vote, user=nia)
    assert [m.to for m in mailoutbox] == [[nia.email]]
    assert mailoutbox[0].subject == "You have been nominated in Board of Directors 2027"
    assert "/elections/board-2027/stand/" in mailoutbox[0].body
    assert Mailing.objects.get(kind=Mailing.Kind.INVITED).sent_at is not None
    assert Nomination.objects.filter(election=vote, nominee=nia).count() == 2
    assert not invited.on_ballot


def test_the_nominee_accepts_with_a_statement_and_answers_and_gets_a_public_page(client):
    vote = election(phase="acceptance", questions=["Why you?", "What first?"])
    nia = voter(name="Nia Nominee")
    Candidate.objects.create(election=vote, user=nia, name="Nia Nominee", slug="nia-nominee")
    client.force_login(nia)
    assert "Accept your nomination" in client.get("/elections/board-2027/").content.decode()

    page = client.get("/elections/board-2027/stand/").content.decode()
    assert '<label for="id_answer_0">Why you?' in page and '<label for="id_answer_1">What first?' in page
    missing = client.post("/elections/board-2027/stand/", {"statement": "I will listen.", "answer_0": "Because."})
    assert missing.status_code == 400
    assert not Candidate.objects.get(user=nia).on_ballot

    response = client.post(
        "/elections/board-2027/stand/",
        {"statement": "I will listen.", "answer_0": "Because.", "answer_1": "The budget."},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/elections/board-2027/candidates/nia-nominee/"
    standing = Candidate.objects.get(user=nia)
    assert standing.on_ballot and standing.answers == ["Because.", "The budget."]
    client.logout()
    public = client.get("/elections/board-2027/candidates/nia-nominee/").content.decode()
    assert "I will listen." in public and "What first?" in public and "The budget." in public
    assert (
        'href="/elections/board-2027/candidates/nia-nominee/"' in client.get("/elections/board-2027/").content.decode()
    )


def test_only_standing_candidates_have_public_pages(client):
    vote = election(phase="acceptance")
    Candidate.objects.create(election=vote, user=voter(), name="Not Yet", slug="not-yet")

    assert client.get("/elections/board-2027/candidates/not-yet/").status_code == 404
    assert client.get("/elections/board-2027/candidates/nobody/").status_code == 404


def test_someone_not_nominated_cannot_accept_and_an_outsider_cannot_nominate(client):
    election(phase="acceptance")
    client.force_login(voter())
    assert "You have not been nominated" in client.get("/elections/board-2027/stand/").content.decode()
    assert client.post("/elections/board-2027/stand/", {"statement": "Me!"}).status_code == 200
    assert not Candidate.objects.exists()

    Election.objects.all().delete()
    election(phase="nominations")
    client.force_login(UserFactory())
    page = client.get("/elections/board-2027/nominate/").content.decode()
    assert "Only those who may vote" in page
    client.post("/elections/board-2027/nominate/", {"nominee": voter().pk})
    assert not Nomination.objects.exists()


def test_a_person_who_may_not_stand_is_not_offered_and_is_refused(client):
    election(phase="nominations")
    outsider = UserFactory(first_name="Out", last_name="Sider")
    client.force_login(voter())

    assert "Out Sider" not in client.get("/elections/board-2027/nominate/").content.decode()
    response = client.post("/elections/board-2027/nominate/", {"nominee": outsider.pk})

    assert response.status_code == 400
    assert not Nomination.objects.exists()


def test_in_an_organisation_election_people_of_eligible_organisations_are_offered():
    from elections import selectors

    gold = MembershipTierFactory(name="Gold")
    vote = election(phase="nominations", electorate=Election.Electorate.ORGANIZATIONS, tiers=[gold])
    acme = OrganizationFactory(name="Acme")
    MembershipFactory(organization=acme, tier=gold)
    person = role_for(acme, "technical")
    other = role_for(OrganizationFactory(name="Not A Member"), "admin")

    offered = dict(selectors.nominee_choices(vote))
    assert person.pk in offered and offered[person.pk].endswith("(Acme)")
    assert other.pk not in offered
