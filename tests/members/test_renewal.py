"""A year of renewal under a frozen clock.

The invoice for the next year goes out MEMBERS_RENEWAL_NOTICE_DAYS before the paid year ends, the billing
contact is reminded 30, 7 and 0 days before the end (each once, however often the task runs), the member is
in grace after the end and lapsed after the grace days (gone from the directory and the API), and paying the
open invoice late brings it back.
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from members import services, tasks
from members.models import DuesPeriod, DuesReminder, Membership
from portal.payments import tasks as payment_tasks
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipTierFactory, application
from tests.payments.conftest import GOOD_CARD, card_token
from tests.portal.factories import directory

pytestmark = [pytest.mark.django_db, pytest.mark.localstripe]
UTC = datetime.UTC
JOINED = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
PAID_UNTIL = datetime.date(2028, 3, 1)  # the first year: 2 March 2027 to 1 March 2028
NOTICE_DAY = PAID_UNTIL - datetime.timedelta(days=30)
LAPSE_DAY = PAID_UNTIL + datetime.timedelta(days=31)  # grace: the 30 days after the end


def _renewal_mails() -> list:
    return [m for m in mail.outbox if m.subject.startswith(("Renewal of", "Reminder"))]


@pytest.fixture
def renewal(settings, site_with_home, localstripe, django_capture_on_commit_callbacks):
    """Acme Cloud, Gold member since JOINED, first year paid by card by its admin; the clock stays frozen."""
    settings.MEMBERS_RENEWAL_NOTICE_DAYS, settings.MEMBERS_GRACE_DAYS = 30, 30
    settings.MEMBERS_RENEWAL_REMINDER_DAYS = (30, 7, 0)
    directory(site_with_home).save_revision().publish()
    gold = MembershipTierFactory(name="Gold", slug="gold", annual_fee=Decimal("25000.00"))
    admin = UserFactory(email="ada@acme.example")
    with time_machine.travel(JOINED, tick=False) as clock:
        membership = services.application_approve(application=application(applicant=admin, tier=gold), actor=None)
        browser = Client()
        browser.force_login(admin)
        first = membership.dues_periods.get()
        with django_capture_on_commit_callbacks(execute=True):
            browser.post(f"/payments/{first.payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)})
        membership.refresh_from_db()
        assert membership.status == Membership.Status.ACTIVE
        assert membership.dues_periods.get().ends == PAID_UNTIL
        mail.outbox.clear()

        def run_on(day: datetime.date, *, times: int = 1) -> None:
            """The beat's tasks on `day`, `times` times (a second beat, a retried run)."""
            clock.move_to(datetime.datetime.combine(day, datetime.time(5, 30), tzinfo=UTC))
            for _ in range(times):
                with django_capture_on_commit_callbacks(execute=True):
                    tasks.renew_memberships.delay()
                    payment_tasks.send_invoice_reminders.delay()  # the generic one must not add a fourth

        yield membership, browser, run_on, clock


def _sent_on(run_on, days) -> dict[datetime.date, list[str]]:
    sent: dict[datetime.date, list[str]] = {}
    for day, times in days:
        before = len(_renewal_mails())
        run_on(day, times=times)
        subjects = [m.subject for m in _renewal_mails()[before:]]
        if subjects:
            sent[day] = subjects
    return sent


def _in_directory_and_api(client: Client) -> tuple[bool, bool]:
    listing = "Acme Cloud" in client.get("/members/").content.decode()
    api = client.get("/api/v1/members/").json()
    rows = api["results"] if isinstance(api, dict) else api
    return listing, any(row["slug"] == "acme-cloud" for row in rows)


def _schedule(first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, int]]:
    """Every day from first to last; twice on the days that matter and every tenth day (a second beat)."""
    busy = {NOTICE_DAY, PAID_UNTIL - datetime.timedelta(days=7), PAID_UNTIL, LAPSE_DAY}
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, 2 if day in busy or day.day % 10 == 0 else 1) for day in days]


def _status(membership) -> str:
    membership.refresh_from_db()
    return membership.status


def test_2_a_year_of_renewal_run_daily_and_twice_on_some_days(renewal, localstripe, django_capture_on_commit_callbacks):
    membership, browser, run_on, _clock = renewal
    day = datetime.timedelta(days=1)
    sent = _sent_on(run_on, _schedule(JOINED.date(), PAID_UNTIL))
    assert _status(membership) == Membership.Status.ACTIVE
    sent |= _sent_on(run_on, _schedule(PAID_UNTIL + day, PAID_UNTIL + day))
    assert _status(membership) == Membership.Status.GRACE
    assert _in_directory_and_api(Client()) == (True, True)  # still listed during the grace period
    sent |= _sent_on(run_on, _schedule(PAID_UNTIL + 2 * day, LAPSE_DAY - day))
    assert _status(membership) == Membership.Status.GRACE
    sent |= _sent_on(run_on, _schedule(LAPSE_DAY, LAPSE_DAY + 3 * day))

    renewal_dues = DuesPeriod.objects.get(membership=membership, starts=PAID_UNTIL + datetime.timedelta(days=1))
    assert renewal_dues.created_at.date() == NOTICE_DAY and renewal_dues.invoice.issued_on == NOTICE_DAY
    assert renewal_dues.invoice.due_on == PAID_UNTIL and not renewal_dues.is_paid
    assert sent == {
        NOTICE_DAY: ["Renewal of Acme Cloud's membership: please pay by 01 March 2028"],
        PAID_UNTIL - datetime.timedelta(days=7): ["Reminder: Acme Cloud's membership dues are unpaid"],
        PAID_UNTIL: ["Reminder: Acme Cloud's membership dues are unpaid"],
        # MEMBERS_GRACE_REMINDER_DAYS after the end, during the grace period (each once).
        PAID_UNTIL + 14 * day: ["Reminder: Acme Cloud's membership lapses on 01 April 2028 unless the dues are paid"],
        PAID_UNTIL + 25 * day: ["Reminder: Acme Cloud's membership lapses on 01 April 2028 unless the dues are paid"],
    }
    assert {m.to[0] for m in _renewal_mails()} == {"billing@acme.example"}
    assert "ends in 7 days, on 01 March 2028" in _renewal_mails()[1].body
    assert renewal_dues.payment.get_absolute_url() in _renewal_mails()[0].body
    # Entering grace and lapsing are told to the billing contact (what to pay) and to Membership staff.
    grace = [m for m in mail.outbox if "overdue: grace period until 01 April 2028" in m.subject]
    assert [m.to for m in grace] == [["billing@acme.example"]]
    assert renewal_dues.payment.get_absolute_url() in grace[0].body
    lapsed = [m for m in mail.outbox if m.subject == "Acme Cloud's membership has lapsed"]
    assert [m.to for m in lapsed] == [["billing@acme.example"]]
    assert "To come back, pay the renewal" in lapsed[0].body and renewal_dues.invoice.number in lapsed[0].body
    assert sorted(DuesReminder.objects.values_list("days_before", "with_invoice")) == [
        (-25, False),
        (-14, False),
        (0, False),
        (7, False),
        (30, True),
    ]

    # Lapsed: gone from the directory, its page and the API.
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LAPSED and membership.ends == PAID_UNTIL
    visitor = Client()
    assert _in_directory_and_api(visitor) == (False, False)
    assert visitor.get("/members/acme-cloud/").status_code == 404

    # A late payment of the open invoice, by card, by the organisation's admin: back in the directory.
    browser.force_login(membership.application.applicant)  # a year on, the old session has expired
    account = browser.get("/accounts/").content.decode()
    assert renewal_dues.payment.get_absolute_url() in account
    with django_capture_on_commit_callbacks(execute=True):
        paid = browser.post(
            f"/payments/{renewal_dues.payment.public_id}/card/", {"token": card_token(localstripe, GOOD_CARD)}
        )
    assert paid.status_code == 302
    membership.refresh_from_db()
    renewal_dues.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and renewal_dues.is_paid
    assert renewal_dues.invoice.status == "paid"
    assert _in_directory_and_api(Client()) == (True, True)
    assert Client().get("/members/acme-cloud/").status_code == 200
    # Paid until March 2029: the next run does nothing.
    before = len(mail.outbox)
    run_on(LAPSE_DAY + 4 * day, times=2)
    assert len(mail.outbox) == before


def test_2_skipped_days_send_the_reminder_due_now_once_not_the_stale_ones(renewal):
    membership, _browser, run_on, _clock = renewal
    end = PAID_UNTIL
    sent = _sent_on(
        run_on,
        [
            (end - datetime.timedelta(days=40), 1),  # too early: nothing
            (end - datetime.timedelta(days=20), 2),  # the notice day was missed: invoiced now, once
            (end - datetime.timedelta(days=3), 1),  # the 7-day reminder, late
            (end - datetime.timedelta(days=2), 1),  # nothing new
            (end + datetime.timedelta(days=5), 2),  # the end was missed: one reminder, and grace
            (end + datetime.timedelta(days=6), 1),
        ],
    )
    assert sent == {
        end - datetime.timedelta(days=20): ["Renewal of Acme Cloud's membership: please pay by 01 March 2028"],
        end - datetime.timedelta(days=3): ["Reminder: Acme Cloud's membership dues are unpaid"],
        end + datetime.timedelta(days=5): ["Reminder: Acme Cloud's membership dues are unpaid"],
    }
    assert "ended on 01 March 2028; it is in its grace period" in _renewal_mails()[-1].body
    membership.refresh_from_db()
    assert membership.status == Membership.Status.GRACE

    # The task stops for the whole grace period: the next run lapses the membership, sending nothing.
    sent = _sent_on(run_on, [(end + datetime.timedelta(days=45), 1)])
    membership.refresh_from_db()
    assert sent == {} and membership.status == Membership.Status.LAPSED
    assert _in_directory_and_api(Client()) == (False, False)


def test_2_a_task_that_did_not_run_until_after_the_end_invoices_and_reminds_once(renewal):
    membership, _browser, run_on, _clock = renewal
    sent = _sent_on(run_on, [(PAID_UNTIL + datetime.timedelta(days=2), 3)])
    assert list(sent.values()) == [["Renewal of Acme Cloud's membership: please pay by 01 March 2028"]]
    assert list(DuesReminder.objects.values_list("days_before", "with_invoice")) == [(0, True)]
    membership.refresh_from_db()
    assert membership.status == Membership.Status.GRACE


@pytest.mark.django_db(False)
def test_the_renewal_task_is_on_the_beat_once_a_day(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["members-renew"]
    assert entry["task"] == "members.renew"
    schedule = entry["schedule"]
    assert len(schedule.hour) == 1 and len(schedule.minute) == 1 and len(schedule.day_of_week) == 7


def test_joining_and_lapsing_are_sent_to_webhook_subscribers(settings):
    from portal.api.models import WebhookDelivery, WebhookSubscription
    from portal.payments import registry

    settings.MEMBERS_RENEWAL_NOTICE_DAYS, settings.MEMBERS_GRACE_DAYS = 30, 30
    WebhookSubscription.objects.create(
        name="Landscape", url="https://landscape.example/hook", event_types=["member.joined", "member.lapsed"]
    )
    gold = MembershipTierFactory(name="Gold", slug="gold")
    with time_machine.travel(JOINED, tick=False):
        membership = services.application_approve(application=application(tier=gold), actor=None)
        registry.get("members.DuesPeriod").on_succeeded(membership.dues_periods.get().payment)
    services.memberships_renew(today=LAPSE_DAY - datetime.timedelta(days=10))
    services.memberships_renew(today=LAPSE_DAY)
    deliveries = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", "payload"))
    assert deliveries == [
        ("member.joined", {"slug": "acme-cloud", "name": "Acme Cloud", "tier": "gold", "starts": "2027-03-02"}),
        ("member.lapsed", {"slug": "acme-cloud", "name": "Acme Cloud", "tier": "gold", "ends": "2028-03-01"}),
    ]


def test_members_renew_by_hand_dry_run_changes_and_sends_nothing_then_runs(renewal, django_capture_on_commit_callbacks):
    membership, _browser, _run_on, clock = renewal
    clock.move_to(datetime.datetime.combine(NOTICE_DAY, datetime.time(9), tzinfo=UTC))
    dry = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("members_renew", "--dry-run", stdout=dry)
    assert "renewal invoices issued: 1 (would be)" in dry.getvalue()
    assert DuesPeriod.objects.filter(membership=membership).count() == 1 and _renewal_mails() == []
    done = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("members_renew", "--today", PAID_UNTIL.isoformat(), stdout=done)
    assert "renewal invoices issued: 1" in done.getvalue()
    assert DuesPeriod.objects.filter(membership=membership).count() == 2
    assert [m.subject.split(" ")[:2] for m in _renewal_mails()] == [["Renewal", "of"]]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("members_renew", "--today", "1 March")
