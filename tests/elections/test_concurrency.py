"""One voter submitting from ten tabs at once casts exactly one ballot (PostgreSQL, real threads)."""

import pytest

from elections import services
from elections.exceptions import AlreadyVoted
from elections.models import Ballot, VoterRecord
from tests.concurrency import run_at_once
from tests.elections.factories import candidate, election, voter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABS = 10


def test_ten_simultaneous_submissions_cast_one_ballot():
    vote = election()
    candidate(vote, "Ada")
    member = voter()

    outcomes = run_at_once(
        lambda score: services.ballot_cast(election=vote, user=member, content={"ada": score}),
        [(n % 6,) for n in range(TABS)],
    )

    receipts = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, AlreadyVoted)]
    assert len(receipts) == 1, outcomes
    assert len(refused) == TABS - 1, outcomes
    assert Ballot.objects.filter(election=vote).count() == 1
    assert VoterRecord.objects.filter(election=vote).count() == 1
    assert Ballot.objects.get().receipt == receipts[0]


def test_ballots_racing_the_close_are_counted_or_refused_never_left_out_of_the_count():
    from elections.exceptions import OutsidePeriod
    from elections.models import Election
    from tests.accounts.factories import UserFactory

    vote = election()
    candidate(vote, "Ada")
    members = [voter(name=f"Racer {n}") for n in range(8)]
    staff = UserFactory()

    def act(who):
        if who is None:
            return services.election_close(election=vote, actor=staff)
        return services.ballot_cast(election=vote, user=who, content={"ada": 3})

    outcomes = run_at_once(act, [(m,) for m in members] + [(None,)])

    assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, OutsidePeriod)], outcomes
    counted = Election.objects.get(pk=vote.pk)
    assert counted.status == Election.Status.COUNTED
    cast = Ballot.objects.filter(election=vote).count()
    assert counted.results["tabulation"]["ballots_counted"] == cast == VoterRecord.objects.filter(election=vote).count()
    assert cast == len([o for o in outcomes if isinstance(o, str)])
