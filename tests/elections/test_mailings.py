"""The election's mailings: each due at its moment, sent by a task through the outbox, and only once."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from elections import services, tasks
from elections.models import Election, Mailing
from members.models import OrganizationRole
from portal.core.models import OutboxMessage
from tests.accounts.factories import UserFactory
from tests.elections.factories import DAY, candidate, election, voter
from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, role_for

pytestmark = pytest.mark.django_db


def _run(capture, **kwargs):
    with capture(execute=True):
        return tasks.send_mailings.run(**kwargs) if not kwargs else services.election_mailings_schedule(**kwargs)


def test_nominations_open_goes_to_every_eligible_member_once(mailoutbox, django_capture_on_commit_callbacks):
    election(phase="nominations")
    members = [voter(name="Ada"), voter(name="Bo")]
    UserFactory()  # not a member: hears nothing

    assert _run(django_capture_on_commit_callbacks) == 1
    assert _run(django_capture_on_commit_callbacks) == 0  # beat again: nothing twice

    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in members)
    assert {m.subject for m in mailoutbox} == {"Nominations are open: Board of Directors 2027"}
    assert "/elections/board-2027/nominate/" in mailoutbox[0].body
    mailing = Mailing.objects.get()
    assert (mailing.kind, mailing.recipients) == ("nominations_open", 2) and mailing.sent_at
    assert OutboxMessage.objects.filter(task_name="elections.send_mailing").count() == 1


def test_voting_open_then_one_reminder_to_those_who_have_not_voted(mailoutbox, django_capture_on_commit_callbacks):
    vote = election(phase="voting")
    candidate(vote, "Ada")
    early, late = voter(name="Early Bird"), voter(name="Late Comer")

    _run(django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([early.email, late.email])
    assert all(m.subject == "Voting is open: Board of Directors 2027" for m in mailoutbox)
    assert f"{settings.SITE_URL}/elections/board-2027/vote/" in mailoutbox[0].body
    services.ballot_cast(election=vote, user=early, content={"ada": 5})
    mailoutbox.clear()

    _run(django_capture_on_commit_callbacks)  # days before the close: no reminder yet
    assert mailoutbox == []
    near_close = vote.voting_closes - datetime.timedelta(hours=settings.ELECTIONS_REMINDER_HOURS - 1)
    _run(django_capture_on_commit_callbacks, now=near_close)
    _run(django_capture_on_commit_callbacks, now=near_close + datetime.timedelta(hours=1))

    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([late.email], "Reminder: voting closes soon in Board of Directors 2027")
    ]
    assert list(Mailing.objects.values_list("kind", flat=True)) == ["voting_open", "reminder"]


def test_the_reminder_never_comes_in_the_same_run_as_voting_open(mailoutbox, django_capture_on_commit_callbacks):
    vote = election(phase="voting")
    voter()
    _run(django_capture_on_commit_callbacks, now=vote.voting_closes - DAY)  # late start: inside the window

    assert list(Mailing.objects.values_list("kind", flat=True)) == ["voting_open"]
    assert len(mailoutbox) == 1


def test_results_go_out_when_staff_certify_and_carry_no_receipt(mailoutbox, django_capture_on_commit_callbacks):
    vote = election(phase="voting")
    candidate(vote, "Ada")
    member = voter()
    receipt = services.ballot_cast(election=vote, user=member, content={"ada": 4})
    Mailing.objects.create(election=vote, kind="voting_open", key="voting_open", sent_at=timezone.now())
    staff = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.election_close(election=vote, actor=staff)
        services.election_certify(election=vote, actor=staff)
    _run(django_capture_on_commit_callbacks)  # beat afterwards: already sent

    assert [(m.to, m.subject) for m in mailoutbox] == [([member.email], "Results: Board of Directors 2027")]
    assert "/elections/board-2027/" in mailoutbox[0].body
    assert receipt not in mailoutbox[0].body


def test_a_redelivered_task_sends_nothing_twice(mailoutbox, django_capture_on_commit_callbacks):
    election(phase="nominations")
    voter()
    _run(django_capture_on_commit_callbacks)
    mailing = Mailing.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_mailing.run(mailing.pk) == 0

    assert len(mailoutbox) == 1


def test_an_organisation_election_writes_to_each_administrator_with_a_link_for_their_organisation(
    mailoutbox, django_capture_on_commit_callbacks
):
    gold = MembershipTierFactory(name="Gold")
    election(phase="voting", electorate=Election.Electorate.ORGANIZATIONS, tiers=[gold])
    acme = OrganizationFactory(name="Acme")
    MembershipFactory(organization=acme, tier=gold)
    admin = role_for(acme, OrganizationRole.Role.ADMIN)
    role_for(acme, OrganizationRole.Role.BILLING)  # does not vote: hears nothing

    _run(django_capture_on_commit_callbacks)

    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert "on behalf of Acme" in mailoutbox[0].body
    assert f"/elections/board-2027/vote/?organization={acme.pk}" in mailoutbox[0].body


def test_the_command_and_beat_run_the_same_service(mailoutbox, django_capture_on_commit_callbacks, capsys):
    election(phase="nominations")
    voter()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_election_mailings")
        call_command("send_election_mailings")

    out = capsys.readouterr().out
    assert "Board of Directors 2027: Nominations are open" in out
    assert out.strip().endswith("mailings queued: 0")
    assert len(mailoutbox) == 1
    assert settings.CELERY_BEAT_SCHEDULE["elections-send-mailings"]["task"] == tasks.send_mailings.name


def test_a_mailing_rolled_back_is_neither_recorded_nor_sent(mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    election(phase="nominations")
    voter()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.election_mailings_schedule()
            transaction.set_rollback(True)

    assert not Mailing.objects.exists() and mailoutbox == []
