from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from events.models import Event, PromoCode, TicketType
from portal.site.pages.events import EventIndexPage, EventPage


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"OpenInfra Summit {n}")
    slug = factory.Sequence(lambda n: f"summit-{n}")
    summary = "Open infrastructure, together."
    venue = "Convention Centre"
    city = "Vancouver"
    country = "Canada"
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=120))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=2))
    time_zone = "America/Vancouver"
    currency = "USD"
    registration_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes = factory.LazyAttribute(lambda o: o.start)
    status = Event.Status.PUBLISHED
    refund_policy = "Full refund until 30 days before the summit."
    refund_cutoff = factory.LazyAttribute(lambda o: o.start - timedelta(days=30))
    changes_cutoff = factory.LazyAttribute(lambda o: o.start - timedelta(days=2))
    code_of_conduct_url = "https://openinfra.example/coc/"


class TicketTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketType

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Ticket {n}")
    price = Decimal("749.99")
    capacity = 100
    max_per_order = 10
    position = factory.Sequence(lambda n: n)


class PromoCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoCode
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = PromoCode.Kind.PERCENT
    value = Decimal("20")

    @factory.post_generation
    def ticket_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.ticket_types.set(extracted)


def buyer(n: int = 0) -> dict:
    return {"buyer_name": f"Buyer {n}", "buyer_email": f"buyer{n}@example.org"}


def paid_order(event: Event, ticket_type: TicketType, n: int = 0, quantity: int = 1, **names):
    """A paid order of `quantity` tickets (made through the service, free when the type is free)."""
    from events import services

    data = buyer(n)
    order = services.order_create(
        event=event,
        quantities={ticket_type.pk: quantity},
        attendees=[{"name": names.get("name", f"Attendee {n}.{i}")} for i in range(quantity)],
        accepted_code_of_conduct=True,
        **data,
    )
    if order.status != order.Status.PAID:
        services.order_payment_succeeded(order=order, amount=order.total)
        order.refresh_from_db()
    return order


def place_order(ticket_type: TicketType, *, name: str, email: str, quantity: int = 1):
    """`quantity` tickets of one type ordered through the service by a buyer who accepts the code of conduct."""
    from events import services

    return services.order_create(
        event=ticket_type.event,
        quantities={ticket_type.pk: quantity},
        buyer_name=name,
        buyer_email=email,
        accepted_code_of_conduct=True,
    )


def payable_order(ticket_type: TicketType, *, name: str, email: str, quantity: int = 1):
    """An order placed through the service, its card payment waiting on the pay page: (order, payment)."""
    from events import payments
    from portal.payments.selectors import payments_for_owner

    order = place_order(ticket_type, name=name, email=email, quantity=quantity)
    payments.order_request_payment(order=order, new=True)
    return order, payments_for_owner(order).get()


def sponsor_application(package, **fields) -> dict:
    """What a person types on the sponsorship application form (tests override any field)."""
    data = {
        "package": package.pk,
        "payment_method": "card",
        "billing_name": "Orbit Robotics GmbH",
        "billing_address": "Hauptstraße 1\n10115 Berlin",
        "billing_country": "DE",
        "billing_vat_number": "DE123456789",
        "billing_po_number": "",
    }
    for role in ("billing", "marketing", "logistics"):
        data[f"{role}_contact_name"] = f"{role.title()} Person"
        data[f"{role}_contact_email"] = fields.pop("contact_email", None) or f"{role}@orbit.example"
    return {**data, **{name: value for name, value in fields.items() if value is not None}}


def sponsor_apply_and_submit(client, package, **fields):
    """Fill the application, then Submit on its review page; returns the Submit's response."""
    slug = package.event.slug
    form = client.post(f"/events/{slug}/sponsor/apply/", sponsor_application(package, **fields))
    assert form.status_code == 302, form.content.decode()
    return client.post(f"/events/{slug}/sponsor/review/", {"waiting_list": "1"} if fields.get("waiting_list") else {})


def summit_on_the_site(home) -> tuple[Event, TicketType]:
    """The OpenInfra Summit Europe with a Full access ticket, its page published at /events/summit/ under `home`."""
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe")
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("749.00"))
    index = home.add_child(instance=EventIndexPage(title="Events", slug="events"))
    index.add_child(instance=EventPage(title=event.name, slug="summit"))
    return event, full
