"""The demo summits: one open for registration, dated relative to
today, and OpenInfra Summit Vancouver 2023 as the past one. Idempotent: found by slug."""

import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from events import services
from events.models import (
    Event,
    Order,
    OrderLine,
    PromoCode,
    SponsorBenefit,
    Sponsorship,
    SponsorshipPackage,
    Ticket,
    TicketBundle,
    TicketType,
)
from events.services import bundles
from events.services.benefits import sponsorship_benefits_create
from members.models import Organization, OrganizationRole
from portal.core.tax import TaxKind, TaxMode, TaxRule
from portal.payments import services as payment_services
from portal.payments.selectors import latest_payments_for_owners

CODE_OF_CONDUCT = "https://openinfra.org/legal/code-of-conduct/"


def _at(day, hour: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zoneinfo.ZoneInfo(tz))


def _next_summit() -> Event:
    tz = "Europe/Paris"
    today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(tz))
    first_day = today + timedelta(days=120)
    # The slug carries the year, so re-running on another day finds the same summit.
    slug = f"openinfra-summit-europe-{first_day.year}"
    event = Event.objects.filter(slug__startswith="openinfra-summit-europe-", end__gt=timezone.now()).first()
    if event is not None:
        return event
    start = _at(first_day, 9, tz)
    event = Event.objects.create(
        name=f"OpenInfra Summit Europe {first_day.year}",
        slug=slug,
        summary="Three days of talks, hands-on workshops and the project teams gathering: OpenStack, "
        "Kata Containers, StarlingX, Zuul and Airship, and the people who run them.",
        venue="Paris Expo Porte de Versailles",
        city="Paris",
        country="France",
        start=start,
        end=_at(first_day + timedelta(days=2), 18, tz),
        time_zone=tz,
        currency="EUR",
        registration_opens=timezone.now() - timedelta(days=14),
        registration_closes=start,
        status=Event.Status.PUBLISHED,
        refund_policy="Cancel online for a full refund until 30 days before the summit; after that, "
        "tickets can still be passed on to a colleague by changing the attendee's name.",
        refund_cutoff=start - timedelta(days=30),
        changes_cutoff=start - timedelta(days=2),
        code_of_conduct_url=CODE_OF_CONDUCT,
    )
    early_bird_ends = _at(today + timedelta(days=21), 23, tz)
    types = [
        ("Early bird", "Full access at the early-bird price.", "399.00", 400, None, early_bird_ends, False),
        ("Full access", "All keynotes, sessions, workshops and the expo hall.", "749.00", 1500, None, None, False),
        ("Student", "Full access for students; we check your student status.", "99.00", 150, None, None, True),
        ("Virtual pass", "Keynotes and sessions streamed live.", "0.00", 10000, None, None, False),
    ]
    created = {}
    for position, (name, description, price, capacity, starts, ends, approval) in enumerate(types):
        created[name] = TicketType.objects.create(
            event=event,
            name=name,
            description=description,
            price=Decimal(price),
            capacity=capacity,
            sale_starts=starts,
            sale_ends=ends,
            max_per_order=10,
            needs_approval=approval,
            position=position,
        )
    promo = PromoCode.objects.create(
        event=event, code="COMMUNITY20", kind=PromoCode.Kind.PERCENT, value=Decimal("20"), max_uses=200
    )
    promo.ticket_types.set([created["Full access"]])
    return event


def _paris_tax(event: Event) -> None:
    """French VAT on admission (prices include it), sponsorships reverse-charged to EU businesses with
    a valid VAT number; the rates are on file (members.demo)."""
    # Named by the event, not defaults: another event (Vancouver) has no rate on file to charge.
    admission, _ = TaxRule.objects.get_or_create(
        kind=TaxKind.TICKET,
        name="Admission: VAT of the event's country",
        defaults={
            "mode": TaxMode.PLACE_OF_SUPPLY,
            "prices_include_tax": True,
        },
    )
    sponsorships, _ = TaxRule.objects.get_or_create(
        kind=TaxKind.SPONSORSHIP,
        name="Sponsorships: reverse charge for EU businesses",
        defaults={
            "mode": TaxMode.BUYER_COUNTRY,
            "country": "FR",
            "prices_include_tax": False,
        },
    )
    if event.ticket_tax_rule_id is None or event.sponsorship_tax_rule_id is None:
        event.ticket_tax_rule, event.sponsorship_tax_rule = admission, sponsorships
        event.save(update_fields=["ticket_tax_rule", "sponsorship_tax_rule"])


PAST_BUYERS = [
    ("Ines Halvorsen", "ines.halvorsen@example.org", "Fjordline Cloud"),
    ("Tomasz Wierzbicki", "t.wierzbicki@example.org", "Vistula Compute"),
    ("Amara Okonkwo", "amara@example.org", "Lagos Research Grid"),
]


def _vancouver_2023() -> Event:
    event = Event.objects.filter(slug="openinfra-summit-vancouver-2023").first()
    if event is not None:
        return event
    tz = "America/Vancouver"
    start = datetime(2023, 6, 13, 9, 0, tzinfo=zoneinfo.ZoneInfo(tz))
    event = Event.objects.create(
        name="OpenInfra Summit Vancouver 2023",
        slug="openinfra-summit-vancouver-2023",
        summary="The OpenInfra community met in Vancouver: OpenStack, Kata Containers, StarlingX, Zuul "
        "and Airship users and contributors, with a sold-out early bird.",
        venue="Vancouver Convention Centre",
        city="Vancouver",
        country="Canada",
        start=start,
        end=datetime(2023, 6, 15, 17, 0, tzinfo=zoneinfo.ZoneInfo(tz)),
        time_zone=tz,
        currency="USD",
        registration_opens=datetime(2023, 1, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo(tz)),
        registration_closes=start,
        status=Event.Status.PUBLISHED,
        refund_policy="Full refund until May 13, 2023.",
        refund_cutoff=start - timedelta(days=31),
        changes_cutoff=start - timedelta(days=2),
        code_of_conduct_url=CODE_OF_CONDUCT,
    )
    early = TicketType.objects.create(
        event=event, name="Early bird", price=Decimal("399.00"), capacity=6, position=0,
        description="Sold out in 2023.",
    )  # fmt: skip
    TicketType.objects.create(event=event, name="Full access", price=Decimal("899.00"), capacity=1800, position=1)
    paid_at = datetime(2023, 2, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo(tz))
    for name, email, company in PAST_BUYERS[:3]:
        order = Order.objects.create(
            event=event,
            buyer_name=name,
            buyer_email=email,
            status=Order.Status.PAID,
            paid_at=paid_at,
            currency="USD",
            subtotal=Decimal("798.00"),
            total=Decimal("798.00"),
        )
        OrderLine.objects.create(
            order=order, ticket_type=early, quantity=2, unit_price=early.price, total=Decimal("798.00")
        )
        Ticket.objects.bulk_create(
            [
                Ticket(order=order, ticket_type=early, attendee_name=name, company=company, checked_in_at=paid_at),
                Ticket(order=order, ticket_type=early, company=company),
            ]
        )
    return event


PACKAGES = [
    # name, price, slots, passes, benefits
    ("Headline", "150000.00", 2, 20, "Keynote stage mention\nLargest booth, front of the hall\nLogo on every screen"),
    ("Premier", "75000.00", 6, 10, "Large booth\nLogo on the keynote screens\nA breakout session"),
    ("Spotlight", "25000.00", 20, 5, "Booth in the marketplace\nLogo on the event page"),
    ("Exhibitor", "8000.00", 40, 2, "Table-top booth\nLogo on the event page"),
]
# Every package's contract, with the placeholders the portal fills when the sponsorship is approved.
CONTRACT_TERMS = (
    "1. {sponsor_legal_name} (the Sponsor) sponsors {event}, held {dates}, with the {package} package.\n"
    "2. The Sponsor pays {price} within 30 days of the invoice; the benefits of the package are released "
    "once it is paid.\n"
    "3. The Sponsor sends its logo and the names of its booth staff by the deadline on its sponsor page.\n"
    "4. Either side may end this agreement in writing; a sponsorship canceled by the Sponsor less than 60 days "
    "before the event is not refunded."
)
# How many of each package the demo's member companies bought (next summit, Vancouver 2023).
SOLD = {"Headline": (1, 2), "Premier": (2, 4), "Spotlight": (3, 6), "Exhibitor": (4, 8)}


def _sponsorships(event: Event, *, past: bool) -> None:
    """Packages per DEMO_CONTENT.md and a few paid sponsorships by member companies, so logos show."""

    organizations = list(Organization.objects.order_by("name"))
    full = TicketType.objects.filter(event=event, name="Full access").first()
    taken = 0
    for position, (name, price, slots, passes, benefits) in enumerate(PACKAGES):
        package, _ = SponsorshipPackage.objects.get_or_create(
            event=event,
            name=name,
            defaults={
                "price": Decimal(price),
                "slots": slots,
                "passes_included": passes,
                "benefits": benefits,
                "position": position,
                "contract_terms": CONTRACT_TERMS,
            },
        )
        if not package.contract_terms:  # a demo loaded before packages had contracts
            package.contract_terms = CONTRACT_TERMS
            package.save(update_fields=["contract_terms"])
        if full is not None:
            package.pass_ticket_types.add(full)
        sold = SOLD[name][1 if past else 0]
        for organization in organizations[taken : taken + sold]:
            if Sponsorship.objects.filter(package=package, organization=organization).exists():
                continue
            code = PromoCode.objects.create(
                event=event,
                code=f"{organization.slug.upper().replace('-', '')[:16]}-{name.upper()}",
                value=Decimal("100"),
                max_tickets=passes,
                active=not past,
            )
            if full is not None:
                code.ticket_types.add(full)
            sponsorship = Sponsorship.objects.create(
                package=package,
                organization=organization,
                status=Sponsorship.Status.PAID,
                contact_email=f"events@{organization.slug}.example",
                requested_at=event.start - timedelta(days=150),
                approved_at=event.start - timedelta(days=145),
                invoiced_at=event.start - timedelta(days=145),
                paid_at=event.start - timedelta(days=120),
                pass_code=code,
            )
            # Paid long ago: its benefits were released on payment.
            sponsorship_benefits_create(sponsorship=sponsorship)
            SponsorBenefit.move_all(
                sponsorship.benefit_rows.all(), SponsorBenefit.Status.RELEASED, released_at=sponsorship.paid_at
            )
        taken += sold


def _admin_role(slug: str) -> OrganizationRole | None:
    """An organisation's demo administrator (members/demo.py) with the organisation, or None."""
    return (
        OrganizationRole.objects.select_related("user", "organization")
        .filter(organization__slug=slug, role=OrganizationRole.Role.ADMIN)
        .first()
    )


def _sponsorship_awaiting_signature(event: Event) -> None:
    """Kestrel Telecom applied for Premier and was approved: its contract waits for its admin's signature."""
    role = _admin_role("kestrel-telecom")
    package = SponsorshipPackage.objects.filter(event=event, name="Premier").first()
    if role is None or package is None:
        return
    if Sponsorship.objects.filter(package=package, organization=role.organization).exists():
        return
    sponsorship = services.sponsorship_request(
        package=package,
        organization=role.organization,
        contact_email=role.user.email,
        actor=role.user,
        payment_method="bank_transfer",
        billing={"billing_name": "Kestrel Telecom AG", "billing_address": "Seestrasse 8\n8002 Zürich",
                 "billing_country": "CH"},
    )  # fmt: skip
    services.sponsorship_approve(sponsorship=sponsorship, actor=None)


# The attendees Aurora Stackworks named on its bundle; the other tickets wait for a name.
BUNDLE_ATTENDEES = [
    ("Lena Quist", "lena.quist@aurora-stackworks.example"),
    ("Rafael Oduya", "rafael@aurora-stackworks.example"),
]


def _ticket_bundle(event: Event) -> None:
    """Aurora Stackworks bought five Full access tickets by bank transfer (received) and named two attendees."""
    role = _admin_role("aurora-stackworks")
    full = TicketType.objects.filter(event=event, name="Full access").first()
    if (
        role is None
        or full is None
        or TicketBundle.objects.filter(order__event=event, organization=role.organization).exists()
    ):
        return
    person = role.user
    bundle = bundles.bundle_create(
        event=event,
        organization=role.organization,
        ticket_type=full,
        quantity=5,
        actor=person,
        buyer_name=person.get_full_name(),
        buyer_email=person.email,
        payment_method="bank_transfer",
    )
    payment = latest_payments_for_owners([bundle.order])[str(bundle.order.pk)]
    payment_services.payment_mark_transfer_received(
        payment=payment, amount=payment.amount, received_on=timezone.localdate(), reference="AURORA-BUNDLE", actor=None
    )
    for ticket, (name, email) in zip(bundle.order.tickets.order_by("pk"), BUNDLE_ATTENDEES, strict=False):
        bundles.bundle_ticket_assign(ticket=ticket, attendee_name=name, attendee_email=email, actor=person)


def load() -> list[Event]:
    """The summits, their ticket types, the COMMUNITY20 code and sponsorships (one awaiting the sponsor's
    signature) and a company ticket bundle; the site adds their pages."""
    events = [_next_summit(), _vancouver_2023()]
    _paris_tax(events[0])
    _sponsorships(events[0], past=False)
    _sponsorships(events[1], past=True)
    _sponsorship_awaiting_signature(events[0])
    _ticket_bundle(events[0])
    return events
