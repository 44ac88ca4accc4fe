"""Elections: what is elected and by whom, the candidates and their nominations, the ballots, and who voted.

The secret ballot lives in two tables that share nothing but the election: a ``Ballot`` has a random
UUID, the election's day and its content, and no reference to a person; a ``VoterRecord`` says that a
voter (a member, or a member organisation) has voted, and nothing about how. docs/ELECTIONS.md states
the threat model.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from members.models import MembershipTier, Organization


def new_tie_seed() -> str:
    return secrets.token_hex(8)


class Election(models.Model):
    """One election: its seats, method, electorate and periods; certified results once counted."""

    class Method(models.TextChoices):
        APPROVAL = "approval", "Approval voting"
        STAR = "star", "STAR voting (one seat)"
        BLOC_STAR = "bloc_star", "Bloc STAR voting (several seats)"
        SCHULZE = "schulze", "Schulze method (ranked)"
        CUMULATIVE = "cumulative", "Cumulative voting"

    class Electorate(models.TextChoices):
        INDIVIDUALS = "individuals", "Individual members"
        ORGANIZATIONS = "organizations", "Member organisations, once each through an administrator"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COUNTED = "counted", "Counted, awaiting certification"
        CERTIFIED = "certified", "Results certified and published"

    TRANSITIONS = {
        Status.SCHEDULED: {Status.COUNTED},
        Status.COUNTED: {Status.CERTIFIED},
        Status.CERTIFIED: set(),
    }
    # What may not change once voting has opened: a ballot is cast against these.
    FROZEN_FIELDS = ("method", "seats", "electorate", "membership_days", "roll_date", "voting_opens")
    # Who may vote for what (tiers aside), and the periods in order: as staff set them and the API shows them.
    RULE_FIELDS = ("description", "seats", "method", "electorate", "membership_days", "roll_date")
    PERIOD_FIELDS = ("nominations_open", "nominations_close", "acceptance_closes", "voting_opens", "voting_closes")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="What is elected, and for how long.")
    seats = models.PositiveSmallIntegerField(default=1)
    method = models.CharField(max_length=20, choices=Method.choices)
    electorate = models.CharField(max_length=20, choices=Electorate.choices, default=Electorate.INDIVIDUALS)
    membership_days = models.PositiveIntegerField(
        default=0, help_text="Individual members vote if they joined at least this many days before the roll date."
    )
    roll_date = models.DateField(help_text="The day the voter roll is drawn up.")
    tiers = models.ManyToManyField(
        MembershipTier, blank=True, related_name="+", help_text="For organisation elections: the tiers that vote."
    )
    nominations_required = models.PositiveSmallIntegerField(
        default=10, help_text="Nominations a person needs before being asked to stand."
    )
    questions = models.JSONField(default=list, blank=True, help_text="Questions every candidate answers.")
    nominations_open = models.DateTimeField()
    nominations_close = models.DateTimeField()
    acceptance_closes = models.DateTimeField()
    voting_opens = models.DateTimeField()
    voting_closes = models.DateTimeField()
    tie_seed = models.CharField(
        max_length=64, default=new_tie_seed, help_text="Published before the vote; it orders candidates to break ties."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    results = models.JSONField(null=True, blank=True, editable=False)
    certified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-voting_closes", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_at_least_one_seat"),
            models.CheckConstraint(
                condition=Q(nominations_open__lt=F("nominations_close"))
                & Q(nominations_close__lte=F("acceptance_closes"))
                & Q(acceptance_closes__lte=F("voting_opens"))
                & Q(voting_opens__lt=F("voting_closes")),
                name="election_periods_in_order",
            ),
            models.CheckConstraint(condition=~Q(method="star") | Q(seats=1), name="election_star_elects_one"),
        ]
        permissions = [("certify_election", "Can certify election")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/elections/{self.slug}/"

    @property
    def election_day(self):
        """The one date every ballot carries: the day voting closes, in the foundation's time zone."""
        return timezone.localdate(self.voting_closes)

    def is_frozen(self, now=None) -> bool:
        return (now or timezone.now()) >= self.voting_opens

    def is_voting_open(self, now=None) -> bool:
        return self.voting_opens <= (now or timezone.now()) < self.voting_closes

    def is_nominating(self, now=None) -> bool:
        return self.nominations_open <= (now or timezone.now()) < self.nominations_close

    def is_accepting(self, now=None) -> bool:
        return self.nominations_open <= (now or timezone.now()) < self.acceptance_closes

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.voting_closes


class Candidate(models.Model):
    """A person standing: invited once nominated enough times (or added by staff), on the ballot once accepted."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="candidacies")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    statement = models.TextField(blank=True, max_length=5000)
    answers = models.JSONField(default=list, blank=True)
    invited_at = models.DateTimeField(default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "user"], name="candidate_once_per_election"),
            models.UniqueConstraint(fields=["election", "slug"], name="candidate_slug_per_election"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def on_ballot(self) -> bool:
        return self.accepted_at is not None and self.withdrawn_at is None


class Nomination(models.Model):
    """One eligible voter nominating one person; a voter nominates a person once."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominations")
    nominee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations_received")
    nominator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations_made")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "nominee", "nominator"], name="nomination_once"),
        ]

    def __str__(self) -> str:
        return f"{self.nominator} nominates {self.nominee}"


def new_receipt() -> str:
    """Twenty random base-32 characters in groups of four: 100 bits, easy to read back."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


class Ballot(models.Model):
    """One cast ballot. It names no voter, carries no time finer than the election's day, and its id is random."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    election_day = models.DateField(editable=False)
    content = models.JSONField(editable=False)
    receipt = models.CharField(max_length=24, unique=True, default=new_receipt, editable=False)

    class Meta:
        ordering = ["receipt"]  # random, so no listing follows the order of casting

    def __str__(self) -> str:
        return f"Ballot in {self.election_id}"


class VoterRecord(models.Model):
    """That a voter has voted in an election (one row each, enforced here), and nothing about how."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="voter_records")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "user"], name="voter_record_one_per_member"),
            models.UniqueConstraint(fields=["election", "organization"], name="voter_record_one_per_organization"),
            models.CheckConstraint(
                condition=Q(user__isnull=False, organization__isnull=True)
                | Q(user__isnull=True, organization__isnull=False),
                name="voter_record_one_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.organization} voted in {self.election_id}"


class Mailing(models.Model):
    """One mailing sent (or being sent) for an election; its unique key makes each go out once."""

    class Kind(models.TextChoices):
        NOMINATIONS_OPEN = "nominations_open", "Nominations are open"
        INVITED = "invited", "You were nominated"
        VOTING_OPEN = "voting_open", "Voting is open"
        REMINDER = "reminder", "Reminder to vote"
        RESULTS = "results", "Results"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="mailings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # "<kind>" for a mailing to the electorate, "<kind>:<candidate id>" for one to a nominee.
    key = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["election", "key"], name="election_mailing_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.election_id})"
