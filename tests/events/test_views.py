import re
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction

from events import services
from events.models import Order, TicketType
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(slug="summit")
    TicketTypeFactory(event=event, name="Full access", price=Decimal("749.99"), capacity=10, position=1)
    TicketTypeFactory(event=event, name="Virtual pass", price=Decimal("0"), capacity=1000, position=2)
    return event


def _tt(event, name):
    return TicketType.objects.get(event=event, name=name)


def _lin_order(event, ticket_name: str, *, quantity: int = 1) -> Order:
    """Lin's order of `quantity` tickets of the named type, placed through the service."""
    return services.order_create(
        event=event,
        quantities={_tt(event, ticket_name).pk: quantity},
        buyer_name="Lin",
        buyer_email="lin@example.org",
        accepted_code_of_conduct=True,
    )


def _place(client, ticket_type, *, quantity: int = 1, name="Grace", email="grace@example.org", **fields):
    """The register page's last step for `quantity` tickets of one type, the code of conduct accepted."""
    data = {
        "step": "place",
        f"qty_{ticket_type.pk}": str(quantity),
        "buyer_name": name,
        "buyer_email": email,
        "accept_code_of_conduct": "on",
        **fields,
    }
    return client.post("/events/summit/register/", data)


def test_step_one_lists_ticket_types_and_sets_no_cookie(client, event):
    response = client.get("/events/summit/register/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Full access — 749.99\u00a0USD" in html and "Virtual pass — free" in html
    assert not response.cookies


def test_step_two_shows_exact_totals_with_the_promo_code(client, event):
    full = _tt(event, "Full access")
    PromoCodeFactory(event=event, code="COMMUNITY20", ticket_types=[full])
    response = client.get(f"/events/summit/register/?step=details&qty_{full.pk}=2&promo_code=community20")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1,499.98\u00a0USD" in html and "−300.00\u00a0USD" in html and "1,199.98\u00a0USD" in html
    assert html.count('name="attendee_') == 6


def test_step_two_refuses_a_bad_code_on_step_one(client, event):
    full = _tt(event, "Full access")
    response = client.get(f"/events/summit/register/?step=details&qty_{full.pk}=1&promo_code=NOPE")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_free_registration_goes_straight_to_the_order_page(client, event, django_capture_on_commit_callbacks):
    virtual = _tt(event, "Virtual pass")
    with django_capture_on_commit_callbacks(execute=True):
        response = _place(client, virtual, name="Ada Lovelace", email="ada@example.org")
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.status == Order.Status.PAID
    assert order.tickets.get().attendee_name == "Ada Lovelace"  # one unnamed ticket is the buyer's
    assert len(mail.outbox) == 1
    page = client.get(order.get_absolute_url())
    assert page.status_code == 200
    assert "Download ticket" in page.content.decode()
    ticket = order.tickets.get()
    qr = client.get(f"{order.get_absolute_url()}tickets/{ticket.code}/qr.png")
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    pdf = client.get(f"{order.get_absolute_url()}tickets.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ics = client.get(f"{order.get_absolute_url()}calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_code_of_conduct_must_be_accepted(client, event):
    virtual = _tt(event, "Virtual pass")
    response = client.post(
        "/events/summit/register/",
        {"step": "place", f"qty_{virtual.pk}": "1", "buyer_name": "Ada", "buyer_email": "ada@example.org"},
    )
    assert response.status_code == 400
    assert "accept the code of conduct" in response.content.decode()
    assert not Order.objects.exists()


def test_paid_registration_holds_seats_and_waits_for_payment(client, event):
    full = _tt(event, "Full access")
    response = _place(client, full, quantity=2, attendee_1_name="Grace")
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING and order.total == Decimal("1499.98")
    assert response.status_code == 302
    assert [t.attendee_name for t in order.tickets.all()] == ["Grace", ""]


def test_sold_out_is_a_form_error_not_a_500(client, event):
    full = _tt(event, "Full access")
    full.capacity = 1
    full.save()
    response = _place(client, full, quantity=2)
    assert response.status_code == 409
    assert "Only 1 × Full access left" in response.content.decode()


def test_self_service_names_an_attendee_and_cancels(client, event, django_capture_on_commit_callbacks):
    order = _lin_order(event, "Virtual pass", quantity=2)
    ticket = order.tickets.first()
    url = order.get_absolute_url()
    response = client.post(f"{url}tickets/{ticket.code}/", {f"t{ticket.pk}-attendee_name": "Katherine Johnson",
                                                          f"t{ticket.pk}-company": "NASA"})  # fmt: skip
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.attendee_name, ticket.company) == ("Katherine Johnson", "NASA")
    assert "Katherine Johnson" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}cancel/")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED


def test_a_wrong_secret_is_a_404(client, event):
    order = _lin_order(event, "Virtual pass")
    assert client.get(f"/events/summit/order/{order.code}/{'x' * 32}/").status_code == 404


def test_unpaid_order_offers_payment_and_hides_tickets(client, event):
    order = _lin_order(event, "Full access")
    html = client.get(order.get_absolute_url()).content.decode()
    assert re.search(r"Pay 749.99\u00a0USD", html)
    ticket = order.tickets.get()
    assert client.get(f"{order.get_absolute_url()}tickets/{ticket.code}/qr.png").status_code == 404
    assert client.get(f"{order.get_absolute_url()}tickets.pdf").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lock_contention_answers_busy_try_again(client, event, settings):
    settings.CAPACITY_LOCK_TIMEOUT_MS = 200
    full = _tt(event, "Full access")
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        with transaction.atomic():
            list(TicketType.objects.select_for_update().filter(pk=full.pk))
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    locked.wait(10)
    try:
        response = _place(client, full)
    finally:
        release.set()
        holder.join()
    assert response.status_code == 503
    assert "try again" in response.content.decode()
    assert not Order.objects.exists()
