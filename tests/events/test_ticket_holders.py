"""Tickets go to the people they name: each attendee with an address gets their own, and a new holder theirs."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from events import services
from events.exceptions import TicketNotValid
from events.models import Ticket
from events.ticket_codes import format_short_code
from tests.events.factories import EventFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe")
    return event, TicketTypeFactory(event=event, name="Full access", price=Decimal("0"))


def _order(summit, capture, attendees):
    event, full = summit
    with capture(execute=True):
        return services.order_create(
            event=event,
            buyer_name="Grace Hopper",
            buyer_email="grace@example.org",
            quantities={full.pk: len(attendees)},
            attendees=attendees,
            accepted_code_of_conduct=True,
        )


def _ticket_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/events/summit/ticket/[^\s]+/)", message.body).group(1)


def test_each_attendee_with_an_address_gets_their_own_ticket_and_the_buyer_all(
    client, summit, django_capture_on_commit_callbacks
):
    order = _order(
        summit,
        django_capture_on_commit_callbacks,
        [
            {"name": "Ada Lovelace", "email": "ada@example.org"},
            {"name": "Alan Turing", "email": "alan@example.org"},
            {"name": "Grace Hopper", "email": "GRACE@example.org"},  # the buyer's own: not twice
        ],
    )
    by_to = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_to) == ["ada@example.org", "alan@example.org", "grace@example.org"]
    buyer = by_to["grace@example.org"]
    assert len([a for a in buyer.attachments if a[0].endswith(".png")]) == 3
    assert "Ada Lovelace at ada@example.org" in buyer.body

    ada_ticket = order.tickets.get(attendee_name="Ada Lovelace")
    ada = by_to["ada@example.org"]
    assert format_short_code(ada_ticket.short_code) in ada.body
    assert sorted(name.rsplit(".", 1)[1] for name, _, _ in ada.attachments) == ["ics", "pdf", "png"]
    assert [name for name, _, _ in ada.attachments if name.endswith(".pdf")][0].startswith("ticket-")
    assert "Alan" not in ada.body and order.secret not in ada.body

    # The link opens Ada's ticket alone, not the order.
    page = client.get(_ticket_link(ada))
    body = page.content.decode()
    assert page.status_code == 200 and "Ada Lovelace" in body and format_short_code(ada_ticket.short_code) in body
    assert "Alan Turing" not in body and order.secret not in body
    assert client.get(_ticket_link(ada) + "ticket.pdf")["Content-Type"] == "application/pdf"


def test_a_transfer_sends_the_new_holder_theirs_and_voids_the_old_qr_code(
    client, summit, django_capture_on_commit_callbacks
):
    event, _ = summit
    order = _order(summit, django_capture_on_commit_callbacks, [{"name": "Ada Lovelace", "email": "ada@example.org"}])
    ticket = order.tickets.get()
    old_code, old_short = ticket.code, ticket.short_code
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/summit/order/{order.code}/{order.secret}/tickets/{ticket.code}/",
            {f"t{ticket.pk}-attendee_name": "Katherine Johnson", f"t{ticket.pk}-attendee_email": "kj@example.org"},
        )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.code != old_code and ticket.short_code != old_short
    assert [m.to for m in mail.outbox] == [["kj@example.org"]]
    assert format_short_code(ticket.short_code) in mail.outbox[0].body
    assert client.get(f"/events/summit/ticket/{old_code}/").status_code == 404
    assert client.get(_ticket_link(mail.outbox[0])).status_code == 200
    # The old QR code (and short code) admit no one; the new ones do.
    with pytest.raises(Exception, match="No ticket has this code"):
        services.ticket_check_in(event=event, code=old_code, actor=None)
    with pytest.raises(Exception, match="No ticket has this code"):
        services.ticket_check_in(event=event, code=old_short, actor=None)
    assert services.ticket_check_in(event=event, code=ticket.short_code, actor=None).pk == ticket.pk


def test_company_or_badge_details_keep_the_code_and_send_nothing(summit, django_capture_on_commit_callbacks):
    order = _order(summit, django_capture_on_commit_callbacks, [{"name": "Ada Lovelace", "email": "ada@example.org"}])
    ticket = order.tickets.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_update(
            ticket=ticket, attendee_name="Ada Lovelace", attendee_email="ada@example.org", company="Analytical"
        )
    assert Ticket.objects.get(pk=ticket.pk).code == ticket.code
    assert mail.outbox == []


def test_a_canceled_ticket_does_not_check_in(summit, django_capture_on_commit_callbacks):
    event, _ = summit
    order = _order(summit, django_capture_on_commit_callbacks, [{"name": "A"}, {"name": "B"}])
    first = order.tickets.order_by("pk").first()
    Ticket.objects.filter(pk=first.pk).update(canceled_at=order.created_at)
    with pytest.raises(TicketNotValid, match="canceled"):
        services.ticket_check_in(event=event, code=first.code, actor=None)
