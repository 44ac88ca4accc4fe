"""The demo elections: Individual Directors 2026, counted and certified, and 2027, open for voting now.

Idempotent: found by slug. The past election's ballots are written directly (its voting period is
over, so the ballot service would refuse them), then counted and certified through the services.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from elections import services
from elections.models import Ballot, Candidate, Election, Mailing, VoterRecord
from members.models import IndividualMember

PAST = "individual-directors-2026"
OPEN = "individual-directors-2027"

# Cumulative votes (two seats, so two votes each), one ballot per demo member in the order they are listed.
PAST_BALLOTS = [
    {"amara-okonkwo": 2},
    {"henrik-solberg": 1, "lucia-ferreyra": 1},
    {"lucia-ferreyra": 2},
    {"amara-okonkwo": 2},
]

STATEMENTS = {
    "amara-okonkwo": "I want the foundation to reach the operators who never come to a summit.",
    "henrik-solberg": "Security and sustainability of our maintainers come first.",
    "lucia-ferreyra": "Edge users need a seat at the table; I would bring their voice.",
    "kenji-arakawa": "Shared CI is the foundation's quiet superpower. Let us fund it properly.",
}

ANSWERS = {
    "amara-okonkwo": "Hold the board's meetings where the operators are, twice a year.",
    "henrik-solberg": "A paid security response rota for the projects that ask for one.",
    "lucia-ferreyra": "A working group for edge deployments, with a budget.",
    "kenji-arakawa": "Put the shared CI's costs in the annual report, line by line.",
}


def _periods(voting_opens):
    return {
        "nominations_open": voting_opens - timedelta(days=40),
        "nominations_close": voting_opens - timedelta(days=20),
        "acceptance_closes": voting_opens - timedelta(days=10),
        "voting_opens": voting_opens,
        "voting_closes": voting_opens + timedelta(days=14),
    }


def _candidates(election: Election, members: list[IndividualMember]) -> dict[str, Candidate]:
    made = {}
    for member in members:
        slug = member.slug
        made[slug], _ = Candidate.objects.get_or_create(
            election=election,
            user=member.user,
            defaults={
                "name": member.display_name,
                "slug": slug,
                "statement": STATEMENTS.get(slug, ""),
                "accepted_at": election.acceptance_closes - timedelta(days=1),
            },
        )
    return made


def _directors_election(slug: str, year: int, method: str, method_name: str, now: datetime, **fields) -> Election:
    """Two Individual Directors for a two-year term, with its roll taken today."""
    return Election.objects.create(
        title=f"Individual Directors {year}",
        slug=slug,
        description=f"Two Individual Directors for a two-year term, elected by {method_name}.",
        seats=2,
        method=method,
        roll_date=timezone.localdate(now),
        tie_seed=f"individual-directors-{year}",
        **fields,
    )


def load() -> list[Election]:
    members = list(
        IndividualMember.objects.filter(left_at__isnull=True).select_related("user").order_by("joined_at", "pk")
    )
    now = timezone.now()
    past = Election.objects.filter(slug=PAST).first()
    if past is None:
        past = _directors_election(
            PAST, 2026, Election.Method.CUMULATIVE, "cumulative voting", now, **_periods(now - timedelta(days=60))
        )
        _candidates(past, members)
        known = set(past.candidates.values_list("slug", flat=True))
        for member, content in zip(members, PAST_BALLOTS, strict=False):
            VoterRecord.objects.create(election=past, user=member.user)
            Ballot.objects.create(
                election=past,
                election_day=past.election_day,
                content={slug: n for slug, n in content.items() if slug in known},
            )
        # Its mailings went out at the time: none is sent again now, results included.
        Mailing.objects.bulk_create(
            [Mailing(election=past, kind=kind, key=kind, sent_at=now) for kind in Mailing.Kind if kind != "invited"]
        )
        services.election_count(election=past, actor=None)
        services.election_certify(election=past, actor=None)
    current = Election.objects.filter(slug=OPEN).first()
    if current is None:
        current = _directors_election(
            OPEN,
            2027,
            Election.Method.BLOC_STAR,
            "Bloc STAR voting",
            now,
            questions=["What would you change first?"],
            **_periods(now - timedelta(days=1)),
        )
        for made in _candidates(current, members[:3]).values():
            Candidate.objects.filter(pk=made.pk).update(answers=[ANSWERS.get(made.slug, "")])
    return [past, current]
