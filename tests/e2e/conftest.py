"""Playwright on Debian's Chromium, headless, with the flags that keep it off the network."""

import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The live server runs in a thread beside Playwright's sync API, which runs an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    # The hook sees the whole session's items: mark only the browser tests, so `-m "not e2e"` works.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def _registration_order() -> None:
    """An order on the open demo summit (two Full access with COMMUNITY20) and its open card payment,
    at the fixed addresses tests/e2e/pages.py names (E2E_ORDER_CODE, E2E_ORDER_SECRET, E2E_PAYMENT_ID)."""
    from django.db import transaction

    from events import services
    from events.models import Event, Order
    from portal.payments.models import Payment
    from tests.e2e.pages import E2E_ORDER_CODE, E2E_ORDER_SECRET, E2E_PAYMENT_ID

    event = Event.objects.get(slug__startswith="openinfra-summit-europe-")
    full = event.ticket_types.get(name="Full access")
    with transaction.atomic():
        order = services.order_create(
            event=event,
            buyer_name="Ada Lovelace",
            buyer_email="ada@example.org",
            quantities={full.pk: 2},
            promo_code="COMMUNITY20",
            accepted_code_of_conduct=True,
        )
        Order.objects.filter(pk=order.pk).update(code=E2E_ORDER_CODE, secret=E2E_ORDER_SECRET)
        order.refresh_from_db()
        Payment.objects.create(
            public_id=E2E_PAYMENT_ID,
            owner=order,
            amount=order.total,
            currency=order.currency,
            payer_email=order.buyer_email,
            description=f"{event.name}: order {order.code}",
            return_url=order.get_absolute_url(),
        )


def _member():
    """The MEMBER person of browser_as, made first when a loader gives them data."""
    from portal.accounts.users import User
    from tests.accounts.factories import UserFactory
    from tests.e2e.pages import MEMBER_EMAIL

    return User.objects.filter(email=MEMBER_EMAIL).first() or UserFactory(
        email=MEMBER_EMAIL, first_name="Mia", last_name="Member"
    )


def _membership_application():
    """MEMBER applied for Silver membership for Quillfeather Cloud (as /join/apply/ does), paying by card."""
    from members.models import MembershipTier
    from tests.members.factories import application

    return application(applicant=_member(), tier=MembershipTier.objects.get(slug="silver"), name="Quillfeather Cloud")


def _membership_dues() -> None:
    """The application approved: MEMBER administers Quillfeather Cloud, whose first dues wait at E2E_DUES_PAYMENT_ID."""
    from members import services
    from portal.payments.models import Payment
    from tests.e2e.pages import E2E_DUES_PAYMENT_ID

    membership = services.application_approve(application=_membership_application(), actor=None)
    Payment.objects.filter(pk=membership.dues_periods.get().payment_id).update(public_id=E2E_DUES_PAYMENT_ID)


def _sponsor():
    """MEMBER administers Orchard Automation, a demo member company, and may apply to sponsor the summit."""
    from members.models import Organization, OrganizationRole

    organization = Organization.objects.get(slug="orchard-automation")
    OrganizationRole.objects.create(user=_member(), organization=organization, role=OrganizationRole.Role.ADMIN)
    return organization


def _sponsorship_invoiced() -> None:
    """Orchard Automation applied for Spotlight, to pay by bank transfer; approved and invoiced (E2E_SPONSORSHIP_PAYMENT_ID)."""
    from events import services
    from events.models import Event
    from portal.payments.models import Payment
    from tests.e2e.pages import E2E_SPONSORSHIP_PAYMENT_ID

    event = Event.objects.get(slug__startswith="openinfra-summit-europe-")
    sponsorship = services.sponsorship_request(
        package=event.sponsorship_packages.get(name="Spotlight"),
        organization=_sponsor(),
        contact_email="events@orchard-automation.example",
        payment_method="bank_transfer",
        actor=_member(),
    )
    services.sponsorship_approve(sponsorship=sponsorship, actor=None)
    payment = services.sponsorship_invoice(sponsorship=sponsorship, method="bank_transfer", actor=None)
    Payment.objects.filter(pk=payment.pk).update(public_id=E2E_SPONSORSHIP_PAYMENT_ID)


def _individual_member() -> None:
    """The MEMBER person (browser_as) as an individual member, for the pages that edit and leave the profile."""
    from members import services

    services.individual_member_join(
        user=_member(),
        display_name="Mia Member",
        bio="Reviews patches.",
        affiliations=[{"organization_name": "Northwind Cloud", "title": "Engineer"}],
        agreement_accepted=True,
    )


def _member_admin() -> None:
    """MEMBER administers the demo's Northwind Cloud: its open dues invoice, a pending invitation (at the
    fixed link E2E_INVITATION_TOKEN), a declined tier change request."""
    import datetime

    from django.utils import timezone

    from members import services
    from members.manage.invitations import token_hash
    from members.models import MembershipTier, Organization, OrganizationInvitation, OrganizationRole, TierChangeRequest
    from tests.e2e.pages import E2E_INVITATION_TOKEN

    person = _member()
    northwind = Organization.objects.get(slug="northwind-cloud")
    OrganizationRole.objects.get_or_create(user=person, organization=northwind, role=OrganizationRole.Role.ADMIN)
    membership = northwind.memberships.get()
    services.dues_period_create(
        membership=membership, starts=timezone.localdate(), payer_email="billing@northwind-cloud.example"
    )
    now = timezone.now()
    OrganizationInvitation.objects.create(
        organization=northwind,
        email="new.engineer@northwind-cloud.example",
        role=OrganizationRole.Role.TECHNICAL,
        token_hash=token_hash(E2E_INVITATION_TOKEN),
        invited_by=person,
        expires_at=now + datetime.timedelta(days=7),
    )
    other_tier = MembershipTier.objects.filter(is_public=True).exclude(pk=membership.tier_id).first()
    TierChangeRequest.objects.create(
        organization=northwind,
        membership=membership,
        tier=other_tier,
        requested_by=person,
        status=TierChangeRequest.Status.DECLINED,
        decline_reason="No seat this year.",
        decided_at=now,
    )


def _ticket_bundle() -> None:
    """MEMBER administers Orchard Automation, which bought a bundle of 3 Full access tickets for the open
    summit by bank transfer and named one attendee."""
    from events.models import Event
    from events.services import bundles
    from members.models import Organization, OrganizationRole

    person = _member()
    orchard = Organization.objects.get(slug="orchard-automation")
    OrganizationRole.objects.get_or_create(user=person, organization=orchard, role=OrganizationRole.Role.ADMIN)
    event = Event.objects.get(slug__startswith="openinfra-summit-europe-")
    bundle = bundles.bundle_create(
        event=event,
        organization=orchard,
        ticket_type=event.ticket_types.get(name="Full access"),
        quantity=3,
        actor=person,
        buyer_name="Mia Member",
        buyer_email=person.email,
        payment_method="bank_transfer",
    )
    bundles.bundle_ticket_assign(
        ticket=bundle.order.tickets.first(), attendee_name="Ada Byron", attendee_email="ada@orchard.example",
        actor=person,
    )  # fmt: skip


# Data some pages need beyond the demo foundation, by name (see tests/e2e/pages.py `needs`).
DATA_LOADERS: dict = {
    "ticket-bundle": _ticket_bundle,
    "registration-order": _registration_order,
    "individual-member": _individual_member,
    "membership-application": _membership_application,
    "membership-dues": _membership_dues,
    "sponsor": _sponsor,
    "sponsorship-invoiced": _sponsorship_invoiced,
    "member-admin": _member_admin,
}


@pytest.fixture
def demo_site(transactional_db):
    """The demo foundation as `make run` shows it (pages, adoption figures, demo staff)."""
    from portal.accounts.groups import ensure_staff_groups
    from portal.site import demo

    ensure_staff_groups()  # transactional tests start from a flushed database
    demo.load()


@pytest.fixture
def browser_as(browser, live_server, demo_site):
    """browser_as(who, width=1280, **context_options) -> a Playwright page logged in as `who`."""
    from django.test import Client

    from tests.accounts.factories import UserFactory
    from tests.conftest import log_in_with_second_factor
    from tests.e2e.pages import MEMBER, STAFF

    contexts = []
    people = {}

    def make(who: str, width: int = 1280, **options):
        height = 812 if width < 600 else 900
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        if who in (MEMBER, STAFF):
            if who not in people:
                client = Client()
                if who == STAFF:
                    from portal.accounts.mfa import totp_activate

                    user = UserFactory(is_staff=True, is_superuser=True, first_name="Sam", last_name="Staff")
                    totp_activate(user)
                    log_in_with_second_factor(client, user)
                else:
                    from allauth.account.internal.flows.login import record_authentication
                    from django.test import RequestFactory

                    user = _member()
                    client.force_login(user)
                    # Just typed the password: allauth lets the person change their second factor.
                    request = RequestFactory().get("/")
                    request.session, request.user = client.session, user
                    record_authentication(request, user, "password", email=user.email, reauthenticated=True)
                    request.session.save()
                people[who] = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": people[who], "url": live_server.url}])
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def load_data_for(site_page) -> None:
    for name in site_page.needs:
        DATA_LOADERS[name]()
