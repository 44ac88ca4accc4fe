"""Elections at a given moment of their life, their candidates and their voters."""

import datetime

from django.utils import timezone

from elections.models import Candidate, Election
from tests.accounts.factories import UserFactory
from tests.members.factories import individual_member

DAY = datetime.timedelta(days=1)


def election(*, phase: str = "voting", **overrides) -> Election:
    """An election whose periods put ``now`` in ``phase``: nominations, acceptance, before-voting, voting, closed."""
    now = timezone.now()
    # The moment voting opens, relative to now, for each phase; the other periods follow from it.
    opens = {
        "nominations": now + 20 * DAY,
        "acceptance": now + 5 * DAY,
        "before-voting": now + DAY,
        "voting": now - DAY,
        "closed": now - 10 * DAY,
    }[phase]
    fields = {
        "title": "Board of Directors 2027",
        "slug": "board-2027",
        "seats": 1,
        "method": Election.Method.STAR,
        "roll_date": timezone.localdate(now) - 30 * DAY,
        "membership_days": 0,
        "nominations_required": 2,
        "nominations_open": opens - 30 * DAY,
        "nominations_close": opens - 10 * DAY if phase != "nominations" else opens - 5 * DAY,
        "acceptance_closes": opens - 2 * DAY,
        "voting_opens": opens,
        "voting_closes": opens + 7 * DAY,
        "tie_seed": "published-seed",
    }
    fields.update(overrides)
    tiers = fields.pop("tiers", ())
    made = Election.objects.create(**fields)
    made.tiers.set(tiers)
    return made


def candidate(election: Election, name: str) -> Candidate:
    """An accepted candidate on the ballot (slug from the name)."""
    from django.utils.text import slugify

    return Candidate.objects.create(
        election=election,
        user=UserFactory(first_name=name, last_name=""),
        name=name,
        slug=slugify(name),
        accepted_at=timezone.now() - 20 * DAY,
    )


def voter(*, joined_days_ago: int = 400, name: str = "Grace Hopper"):
    """A current individual member who joined ``joined_days_ago`` days ago; returns the user."""
    membership = individual_member(name=name)
    membership.joined_at = timezone.now() - datetime.timedelta(days=joined_days_ago)
    membership.save(update_fields=["joined_at"])
    return membership.user
