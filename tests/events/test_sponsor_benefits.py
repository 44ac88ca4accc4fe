"""Sponsorship benefits with a state each: created pending on approval, released on payment or early by staff
(with an audited reason), delivered, and withdrawn when the sponsorship is canceled (codes stop applying at
checkout, the logo leaves the public listing and the cached page)."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from wagtail.models import ModelLogEntry

from events import services
from events.exceptions import PromoCodeInvalid, SponsorshipInvalid
from events.models import Order, PromoCode, SponsorBenefit, Sponsorship, SponsorshipPackage
from events.services.benefits import sponsor_benefit_release
from portal.accounts.groups import EVENTS_STAFF
from portal.core import cache
from tests.accounts.factories import UserFactory
from tests.events.factories import buyer, summit_on_the_site
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

Status = SponsorBenefit.Status


@pytest.fixture
def summit(site_with_home):
    event, full = summit_on_the_site(site_with_home)
    gold = SponsorshipPackage.objects.create(
        event=event, name="Gold", price=Decimal("20000.00"), slots=3, passes_included=2,
        discount_percent=Decimal("25"), discount_tickets=10, benefits="Booth 3x3 m\nLogo on the lanyard",
    )  # fmt: skip
    gold.pass_ticket_types.set([full])
    return event, full, gold


@pytest.fixture
def staff():
    return UserFactory(groups=[EVENTS_STAFF])


def _approved(gold, staff, name="Acme Cloud"):
    organization = OrganizationFactory(name=name)
    sponsorship = services.sponsorship_request(
        package=gold, organization=organization, contact_email="events@acme.example", actor=staff
    )
    return services.sponsorship_approve(sponsorship=sponsorship, actor=staff)


def _paid(gold, staff, capture):
    sponsorship = _approved(gold, staff)
    with capture(execute=True):
        services.sponsorship_invoice(sponsorship=sponsorship, method="bank_transfer", actor=staff)
        services.sponsorship_mark_paid(sponsorship=sponsorship)
    sponsorship.refresh_from_db()
    return sponsorship


def _states(sponsorship) -> dict[str, str]:
    return dict(SponsorBenefit.objects.filter(sponsorship=sponsorship).values_list("kind", "status").order_by("pk"))


def test_approval_creates_the_packages_benefits_pending_and_the_logo_does_not_show_yet(client, summit, staff):
    event, _, gold = summit
    sponsorship = _approved(gold, staff)

    rows = list(SponsorBenefit.objects.filter(sponsorship=sponsorship).values_list("kind", "name", "status"))
    assert rows == [
        ("logo", "Logo on the OpenInfra Summit Europe sponsor listing", "pending"),
        ("passes", "2 free passes", "pending"),
        ("discount", "Discount code: 25 % off 10 tickets for your community", "pending"),
        ("booth", "Booth 3x3 m", "pending"),
        ("addon", "Logo on the lanyard", "pending"),
    ]
    assert sponsorship.pass_code is None and not PromoCode.objects.filter(event=event).exists()
    assert "Acme Cloud" not in client.get("/events/summit/").content.decode()
    assert client.get("/api/v1/events/summit/sponsors/").json() == []


def test_payment_releases_every_benefit_the_codes_work_and_the_sponsor_hears(
    client, summit, staff, django_capture_on_commit_callbacks
):
    event, full, gold = summit
    mail.outbox.clear()
    sponsorship = _paid(gold, staff, django_capture_on_commit_callbacks)

    assert set(_states(sponsorship).values()) == {Status.RELEASED}
    assert not SponsorBenefit.objects.filter(sponsorship=sponsorship, released_early=True).exists()
    discount = SponsorBenefit.objects.get(sponsorship=sponsorship, kind="discount").promo_code
    assert discount.value == Decimal("25") and discount.max_tickets == 10 and discount.active
    assert sponsorship.pass_code.active and sponsorship.pass_code.max_tickets == 2

    released = [m for m in mail.outbox if m.subject.endswith("sponsor benefits released")]
    assert len(released) == 1 and released[0].to == ["events@acme.example"]
    assert sponsorship.pass_code.code in released[0].body and discount.code in released[0].body

    order = services.order_create(
        event=event, quantities={full.pk: 2}, promo_code=sponsorship.pass_code.code, accepted_code_of_conduct=True,
        **buyer(1),
    )  # fmt: skip
    assert order.status == Order.Status.PAID and order.total == 0
    assert 'alt="Acme Cloud"' in client.get("/events/summit/").content.decode()
    contact = Client()  # whoever asked for the sponsorship is its contact: My account counts the passes used
    contact.force_login(staff)
    assert f"passes: code {sponsorship.pass_code.code}, 2 of 2 used" in contact.get("/accounts/").content.decode()


def test_staff_release_a_benefit_early_with_a_reason_that_is_audited(
    client, summit, staff_client_factory, django_capture_on_commit_callbacks
):
    event, _, gold = summit
    admin = staff_client_factory(groups=[EVENTS_STAFF])
    sponsorship = _approved(gold, admin.user)
    logo = SponsorBenefit.objects.get(sponsorship=sponsorship, kind="logo")
    url = f"/admin/events/sponsorships/{sponsorship.pk}/benefits/"

    page = admin.get(url).content.decode()
    assert "Reason for releasing Logo on the OpenInfra Summit Europe sponsor listing early" in page

    # No reason, no release.
    response = admin.post(url, {"benefit": logo.pk, "action": "release", "reason": " "}, follow=True)
    assert "Say why this benefit is released before payment." in response.content.decode()
    logo.refresh_from_db()
    assert logo.status == Status.PENDING

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url, {"benefit": logo.pk, "action": "release", "reason": "Keynote announced before the invoice"})
    logo.refresh_from_db()
    assert logo.status == Status.RELEASED and logo.released_early and logo.released_by == admin.user
    assert logo.release_reason == "Keynote announced before the invoice"
    entry = ModelLogEntry.objects.get(action="events.sponsor_benefit.release", object_id=str(sponsorship.pk))
    assert entry.user == admin.user
    assert entry.data["reason"] == "Keynote announced before the invoice" and entry.data["early"] is True
    assert "early by " in admin.get(url).content.decode()
    assert [m.to for m in mail.outbox if "benefits released" in m.subject] == [["events@acme.example"]]

    # The sponsorship is only approved, but its logo is released: the public sees it; the passes stay pending.
    sponsorship.refresh_from_db()
    assert sponsorship.status == Sponsorship.Status.APPROVED and sponsorship.pass_code is None
    admin.logout()
    assert 'alt="Acme Cloud"' in client.get("/events/summit/").content.decode()
    assert [s["organization"] for s in client.get("/api/v1/events/summit/sponsors/").json()] == ["Acme Cloud"]


def test_early_passes_make_a_working_code_before_payment(summit, staff):
    event, full, gold = summit
    sponsorship = _approved(gold, staff)
    passes = SponsorBenefit.objects.get(sponsorship=sponsorship, kind="passes")
    sponsor_benefit_release(benefit=passes, actor=staff, reason="Speakers need to register now")
    sponsorship.refresh_from_db()
    order = services.order_create(
        event=event, quantities={full.pk: 1}, promo_code=sponsorship.pass_code.code, accepted_code_of_conduct=True,
        **buyer(1),
    )  # fmt: skip
    assert order.total == 0


def test_cancel_withdraws_codes_and_removes_the_logo_from_the_cached_public_page(
    client, summit, staff_client_factory, django_capture_on_commit_callbacks
):
    event, full, gold = summit
    admin = staff_client_factory(groups=[EVENTS_STAFF], client=Client())
    sponsorship = _paid(gold, admin.user, django_capture_on_commit_callbacks)
    pass_code = sponsorship.pass_code.code
    discount_code = SponsorBenefit.objects.get(sponsorship=sponsorship, kind="discount").promo_code.code

    cache.purge()
    first = client.get("/events/summit/")
    assert first["X-Page-Cache"] == "miss" and 'alt="Acme Cloud"' in first.content.decode()
    assert client.get("/events/summit/")["X-Page-Cache"] == "hit"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/events/sponsorships/",
            {"sponsorship": sponsorship.pk, "action": "cancel", "reason": "Contract breached"},
        )
    assert response.status_code == 302

    assert set(_states(sponsorship).values()) == {Status.WITHDRAWN}
    assert not PromoCode.objects.filter(code__in=[pass_code, discount_code], active=True).exists()
    for code in (pass_code, discount_code):
        with pytest.raises(PromoCodeInvalid):
            services.order_create(
                event=event, quantities={full.pk: 1}, promo_code=code, accepted_code_of_conduct=True, **buyer(2)
            )
    again = client.get("/events/summit/")
    assert again["X-Page-Cache"] == "miss" and "Acme Cloud" not in again.content.decode()
    assert client.get("/api/v1/events/summit/sponsors/").json() == []
    withdrawn = [m for m in mail.outbox if m.subject.endswith("sponsor benefits withdrawn")]
    assert len(withdrawn) == 1 and "Booth 3x3 m" in withdrawn[0].body and withdrawn[0].to == ["events@acme.example"]
    assert ModelLogEntry.objects.filter(
        action="events.sponsor_benefit.withdraw", object_id=str(sponsorship.pk)
    ).exists()


def test_staff_mark_a_released_benefit_delivered_and_not_a_pending_one(
    summit, staff_client_factory, django_capture_on_commit_callbacks
):
    _, _, gold = summit
    admin = staff_client_factory(groups=[EVENTS_STAFF])
    sponsorship = _approved(gold, admin.user)
    booth = SponsorBenefit.objects.get(sponsorship=sponsorship, kind="booth")
    url = f"/admin/events/sponsorships/{sponsorship.pk}/benefits/"

    response = admin.post(url, {"benefit": booth.pk, "action": "fulfil"}, follow=True)
    assert "Booth 3x3 m: a pending benefit cannot become fulfilled." in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.sponsorship_invoice(sponsorship=sponsorship, method="bank_transfer", actor=admin.user)
        services.sponsorship_mark_paid(sponsorship=sponsorship)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url, {"benefit": booth.pk, "action": "fulfil"})
    booth.refresh_from_db()
    assert booth.status == Status.FULFILLED and booth.fulfilled_by == admin.user
    assert [m.subject for m in mail.outbox] == ["OpenInfra Summit Europe: Booth 3x3 m delivered"]


def test_the_staff_list_links_each_sponsorships_benefits(summit, staff_client_factory):
    _, _, gold = summit
    admin = staff_client_factory(groups=[EVENTS_STAFF])
    sponsorship = _approved(gold, admin.user)
    page = admin.get("/admin/events/sponsorships/").content.decode()
    assert f"/admin/events/sponsorships/{sponsorship.pk}/benefits/" in page


def test_a_canceled_sponsorships_benefit_cannot_be_released(summit, staff):
    _, _, gold = summit
    sponsorship = _approved(gold, staff)
    services.sponsorship_cancel(sponsorship=sponsorship, actor=staff, reason="Withdrew")
    logo = SponsorBenefit.objects.get(sponsorship=sponsorship, kind="logo")
    with pytest.raises(SponsorshipInvalid, match="canceled"):
        sponsor_benefit_release(benefit=logo, actor=staff, reason="Oops")
    logo.refresh_from_db()
    assert logo.status == Status.WITHDRAWN


def test_a_package_line_promising_the_logo_on_the_event_page_is_the_logo_benefit(summit, staff):
    _, _, gold = summit
    gold.benefits = "Booth in the marketplace\nLogo on the event page"
    gold.save()
    sponsorship = _approved(gold, staff)
    assert list(SponsorBenefit.objects.filter(sponsorship=sponsorship).values_list("kind", "name")) == [
        ("logo", "Logo on the event page"),
        ("passes", "2 free passes"),
        ("discount", "Discount code: 25 % off 10 tickets for your community"),
        ("booth", "Booth in the marketplace"),
    ]
