"""Staff define elections in the admin through the services; the freeze holds there too; count and certify."""

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from elections.models import Election
from tests.elections.factories import DAY, candidate, election, voter

pytestmark = pytest.mark.django_db


def _form(**overrides):
    now = timezone.now()
    data = {
        "title": "Gold Member Directors 2027",
        "slug": "gold-2027",
        "description": "",
        "seats": "2",
        "method": "schulze",
        "electorate": "individuals",
        "membership_days": "90",
        "roll_date": timezone.localdate(now).isoformat(),
        "nominations_required": "10",
        "nominations_open": (now + DAY).strftime("%Y-%m-%d %H:%M"),
        "nominations_close": (now + 10 * DAY).strftime("%Y-%m-%d %H:%M"),
        "acceptance_closes": (now + 15 * DAY).strftime("%Y-%m-%d %H:%M"),
        "voting_opens": (now + 20 * DAY).strftime("%Y-%m-%d %H:%M"),
        "voting_closes": (now + 30 * DAY).strftime("%Y-%m-%d %H:%M"),
    }
    data.update(overrides)
    return data


def test_staff_create_an_election_and_it_is_audited(staff_client_factory):
    staff = staff_client_factory(superuser=True)

    response = staff.post("/admin/elections/new/", _form(questions="Why you?\r\n\r\n What would you change first? "))

    assert response.status_code == 302, response.content.decode()[:2000]
    created = Election.objects.get(slug="gold-2027")
    assert (created.method, created.seats, created.membership_days) == ("schulze", 2, 90)
    assert len(created.tie_seed) == 16
    assert created.questions == ["Why you?", "What would you change first?"]
    edit = staff.get(f"/admin/elections/edit/{created.pk}/").content.decode()
    assert "Why you?\nWhat would you change first?</textarea>" in edit
    assert ModelLogEntry.objects.filter(action="elections.election.create", user=staff.user).exists()


def test_the_admin_refuses_to_change_seats_once_voting_has_opened(staff_client_factory):
    staff = staff_client_factory(superuser=True)
    vote = election(method=Election.Method.BLOC_STAR, seats=2)
    fields = {
        name: getattr(vote, name).strftime("%Y-%m-%d %H:%M")
        for name in ("nominations_open", "nominations_close", "acceptance_closes", "voting_opens", "voting_closes")
    }

    response = staff.post(
        f"/admin/elections/edit/{vote.pk}/",
        _form(
            slug=vote.slug,
            seats="3",
            method="bloc_star",
            membership_days="0",
            roll_date=vote.roll_date.isoformat(),
            **fields,
        ),
    )

    assert response.status_code == 200
    assert "Voting has opened" in response.content.decode()
    vote.refresh_from_db()
    assert vote.seats == 2


def test_staff_see_turnout_then_count_and_certify(staff_client_factory, client):
    staff = staff_client_factory(superuser=True)
    vote = election(phase="voting")
    candidate(vote, "Ada")
    from elections import services

    services.ballot_cast(election=vote, user=voter(), content={"ada": 4})
    voter(name="Abstainer")
    page = staff.get("/admin/elections-results/").content.decode()
    assert "1 of 2" in page
    assert "Count the ballots" not in page  # still open
    Election.objects.filter(pk=vote.pk).update(
        voting_opens=timezone.now() - 3 * DAY, voting_closes=timezone.now() - DAY
    )

    staff.post("/admin/elections-results/", {"election": vote.pk, "action": "count"})
    staff.post("/admin/elections-results/", {"election": vote.pk, "action": "certify"})

    vote.refresh_from_db()
    assert vote.status == Election.Status.CERTIFIED
    assert vote.results["tabulation"]["winners"] == ["ada"]
