"""The secret ballot in the stored data: nothing on a ballot leads to its voter or to when it was cast."""

import uuid

import pytest
from django.db import models
from wagtail.models import ModelLogEntry

from elections import services
from elections.models import Ballot, VoterRecord
from tests.elections.factories import candidate, election, voter

pytestmark = pytest.mark.django_db


def test_a_ballot_row_holds_no_voter_no_time_and_no_sequence():
    fields = {f.name: f for f in Ballot._meta.get_fields()}

    assert set(fields) == {"id", "election", "election_day", "content", "receipt"}
    assert isinstance(fields["id"], models.UUIDField)
    assert type(fields["election_day"]) is models.DateField  # a day, never a DateTimeField
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert {m._meta.label for m in related} == {"elections.Election"}


def test_a_voter_record_says_who_voted_and_nothing_about_the_ballot_or_when():
    fields = {f.name for f in VoterRecord._meta.get_fields()}

    assert fields == {"id", "election", "user", "organization"}


def test_ballots_cast_in_a_known_order_cannot_be_told_apart_by_any_stored_field():
    vote = election()
    candidate(vote, "Ada")
    casting_order = [
        services.ballot_cast(election=vote, user=voter(name=f"Voter {n}"), content={"ada": 3}) for n in range(12)
    ]
    rows = list(Ballot.objects.filter(election=vote).values())

    for name in ("election_id", "election_day", "content"):
        assert len({repr(row[name]) for row in rows}) == 1, f"{name} differs between ballots"
    assert all(row["id"].version == 4 for row in rows)  # random, not time-based (uuid1) or sequential
    for name in ("id", "receipt"):
        by_field = [row["receipt"] for row in sorted(rows, key=lambda row: row[name])]
        assert by_field != casting_order, f"sorting by {name} gives the order of casting"
    listed = list(Ballot.objects.filter(election=vote).values_list("receipt", flat=True))
    assert listed != casting_order


def test_casting_a_ballot_writes_no_audit_entry():
    vote = election()
    candidate(vote, "Ada")
    member = voter()
    before = ModelLogEntry.objects.count()  # joining as a member is audited; voting must not be

    services.ballot_cast(election=vote, user=member, content={"ada": 5})

    assert ModelLogEntry.objects.count() == before


def test_ballot_ids_are_uuid4():
    vote = election()
    candidate(vote, "Ada")
    services.ballot_cast(election=vote, user=voter(), content={"ada": 1})

    assert isinstance(Ballot.objects.get().pk, uuid.UUID)


# --- The threat model, end to end: screens, exports, API, logs ----------------------------------------


def _closed_and_certified(vote):
    from django.utils import timezone

    from elections.models import Election
    from tests.elections.factories import DAY

    Election.objects.filter(pk=vote.pk).update(
        voting_opens=timezone.now() - 3 * DAY, voting_closes=timezone.now() - DAY
    )
    vote.refresh_from_db()
    services.election_count(election=vote, actor=None)
    return services.election_certify(election=vote, actor=None)


@pytest.fixture
def cast(client):
    """Three members vote through the ballot page, in a known order; returns the election and the voters."""
    from elections.models import Election

    vote = election(method=Election.Method.STAR)
    candidate(vote, "Ada")
    candidate(vote, "Bo")
    voters = []
    for n, scores in enumerate(({"ada": 5, "bo": 0}, {"ada": 1, "bo": 4}, {"ada": 3, "bo": 3})):
        member = voter(name=f"Secret Voter{n}")
        client.force_login(member)
        client.post("/elections/board-2027/vote/", {f"score-{k}": v for k, v in scores.items()})
        voters.append(member)
    client.logout()
    assert Ballot.objects.count() == 3
    return vote, voters


def _traces(voters) -> list[str]:
    """What would lead from a published or staff-visible text to a voter or to one ballot's row."""
    found = [str(b.pk) for b in Ballot.objects.all()]
    for member in voters:
        found += [member.email, member.get_full_name(), f'"user": {member.pk}', f'"user_id": {member.pk}']
    return found


def test_no_admin_screen_lists_ballots_or_who_voted_how(cast, staff_groups, staff_client_factory):
    from django.contrib import admin

    from elections.models import Election

    vote, voters = cast
    staff = staff_client_factory(superuser=True)
    assert Ballot not in admin.site._registry and VoterRecord not in admin.site._registry
    for url in ("/admin/snippets/elections/ballot/", "/admin/snippets/elections/voterrecord/"):
        assert staff.get(url).status_code == 404

    _closed_and_certified(Election.objects.get(pk=vote.pk))
    receipts = list(Ballot.objects.values_list("receipt", flat=True))
    for url in (
        "/admin/elections-results/",
        "/admin/elections/",
        f"/admin/elections/edit/{vote.pk}/",
        f"/admin/elections-candidates/{vote.pk}/",
    ):
        page = staff.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        for trace in [*_traces(voters), *receipts]:
            assert trace not in text, f"{url} shows {trace}"
    # The audit log of the election's staff actions, as its screen shows it.
    entries = ModelLogEntry.objects.filter(action__startswith="elections.")
    assert {e.action for e in entries} >= {"elections.election.count", "elections.election.certify"}
    logged = " ".join(f"{e.label} {e.data} {e.user_id}" for e in entries)
    for trace in [*_traces(voters), *receipts]:
        assert trace not in logged


def test_no_export_or_api_field_holds_a_voter_or_a_ballot_id(cast, client):
    vote, voters = cast
    _closed_and_certified(vote)
    receipts = set(Ballot.objects.values_list("receipt", flat=True))

    ballots_json = client.get("/elections/board-2027/ballots.json").json()
    assert set(ballots_json) == {"election", "method", "ballots"}
    assert all(set(b) == {"ada", "bo"} for b in ballots_json["ballots"])  # content only: no id, receipt, day
    api = client.get("/api/v1/elections/board-2027/results/").json()
    assert set(api) == {
        "election", "certified_at", "winners", "names", "turnout", "tabulation", "ballots", "receipts"
    }  # fmt: skip
    assert api["ballots"] == ballots_json["ballots"] and set(api["receipts"]) == receipts
    listing = client.get("/api/v1/elections/").json()
    published = {
        "ballots.csv": client.get("/elections/board-2027/ballots.csv").content.decode(),
        "ballots.json": str(ballots_json),
        "receipts.txt": client.get("/elections/board-2027/receipts.txt").content.decode(),
        "api results": str(api),
        "api list": str(listing),
        "results page": client.get("/elections/board-2027/").content.decode(),
    }
    for name, text in published.items():
        for trace in _traces(voters):
            assert trace not in text, f"{name} shows {trace}"
    for name in ("ballots.csv", "ballots.json"):
        assert not any(r in published[name] for r in receipts), f"{name} joins a receipt to its ballot"


def test_the_voters_own_data_export_holds_no_receipt_and_no_ballot(cast, client):
    vote, voters = cast
    client.force_login(voters[0])

    exported = client.get("/accounts/export/").content.decode()

    for ballot in Ballot.objects.all():
        assert ballot.receipt not in exported and str(ballot.pk) not in exported


def test_no_log_line_from_voting_to_publishing_names_a_voter_or_a_ballot(client, caplog):
    with caplog.at_level("DEBUG"):
        vote = election()
        candidate(vote, "Ada")
        member = voter(name="Logged Voter")
        client.force_login(member)
        client.post("/elections/board-2027/vote/", {"score-ada": "4"})
        client.get("/elections/board-2027/vote/")
        _closed_and_certified(vote)
        client.get("/elections/board-2027/")
        client.get("/elections/board-2027/ballots.json")

    ballot = Ballot.objects.get()
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("django.db"))
    for trace in (member.email, "Logged Voter", ballot.receipt, str(ballot.pk)):
        assert trace not in logged


def test_ballots_cast_in_a_known_order_with_different_contents_cannot_be_put_back_in_that_order():
    """The voter records' ids give the order people voted in; no ballot field may give the ballots' order."""
    vote = election()
    candidate(vote, "Ada")
    members = [voter(name=f"Voter {n}") for n in range(6)]
    for n, member in enumerate(members):  # each ballot identifiable by its content: scores 0..5
        services.ballot_cast(election=vote, user=member, content={"ada": n})
    by_voting = list(VoterRecord.objects.order_by("pk").values_list("user_id", flat=True))
    assert by_voting == [m.pk for m in members]  # known (staff see who voted, and in which order)

    casting_order = list(range(6))
    rows = list(Ballot.objects.filter(election=vote).values())
    for name in ("id", "receipt", "election_day", "election_id"):
        recovered = [row["content"]["ada"] for row in sorted(rows, key=lambda row: (row[name], str(row["id"])))]
        if name in ("election_day", "election_id"):
            assert len({row[name] for row in rows}) == 1  # the same on every ballot: no order at all
        else:
            assert recovered != casting_order, f"sorting by {name} gives the order of casting"
    assert [row["content"]["ada"] for row in rows] != casting_order  # the default listing neither
