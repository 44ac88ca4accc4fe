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
