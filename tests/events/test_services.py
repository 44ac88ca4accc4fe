from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from events import services
from events.exceptions import (
    InvalidTransition,
    NotRefundable,
    OrderInvalid,
    PromoCodeInvalid,
    PromoCodeUsedUp,
    RegistrationClosed,
    SoldOut,
)
from events.models import Order, PromoCode
from events.selectors import seats_taken
from tests.events.factories import EventFactory, PromoCodeFactory, TicketTypeFactory, buyer

pytestmark = pytest.mark.django_db


def _order(ticket_type, quantity=1, n=0, **kwargs):
    return services.order_create(
        event=ticket_type.event,
        quantities={ticket_type.pk: quantity},
        accepted_code_of_conduct=True,
        **buyer(n),
        **kwargs,
    )


def test_twenty_percent_promo_on_two_full_access_tickets_is_exact_to_the_cent():
    full = TicketTypeFactory(name="Full access", price=Decimal("749.99"))
    PromoCodeFactory(event=full.event, code="COMMUNITY20", ticket_types=[full])
    order = _order(full, 2, promo_code="community20")
    # 2 × 749.99 = 1499.98; 20 % = 299.996 → 300.00 (half up); total 1199.98.
    assert (order.subtotal, order.discount, order.total) == (Decimal("1499.98"), Decimal("300.00"), Decimal("1199.98"))
    line = order.lines.get()
    assert (line.quantity, line.unit_price, line.discount, line.total) == (
        2,
        Decimal("749.99"),
        Decimal("300.00"),
        Decimal("1199.98"),
    )
    assert order.status == Order.Status.PENDING
    assert order.tickets.count() == 2
    assert order.expires_at == pytest.approx(timezone.now() + timedelta(minutes=15), abs=timedelta(seconds=30))


def test_promo_code_only_discounts_the_ticket_types_it_names():
    full = TicketTypeFactory(name="Full access", price=Decimal("100.00"))
    early = TicketTypeFactory(event=full.event, name="Early bird", price=Decimal("50.00"))
    PromoCodeFactory(event=full.event, code="FULL10", value=Decimal("10"), ticket_types=[full])
    order = services.order_create(
        event=full.event,
        quantities={full.pk: 1, early.pk: 1},
        promo_code="FULL10",
        accepted_code_of_conduct=True,
        **buyer(),
    )
    assert (order.subtotal, order.discount, order.total) == (Decimal("150.00"), Decimal("10.00"), Decimal("140.00"))


def test_fixed_promo_never_makes_a_line_negative_and_zero_decimal_currency_rounds_to_yen():
    event = EventFactory(currency="JPY")
    ticket = TicketTypeFactory(event=event, price=Decimal("3333"))
    PromoCodeFactory(event=event, code="HALF", value=Decimal("50"))
    order = _order(ticket, 1, promo_code="HALF")
    assert (order.discount, order.total) == (Decimal("1667"), Decimal("1666"))  # 1666.5 → 1667 half up
    PromoCodeFactory(event=event, code="BIG", kind=PromoCode.Kind.FIXED, value=Decimal("99999"))
    free = _order(ticket, 1, n=1, promo_code="BIG")
    assert free.total == 0 and free.status == Order.Status.PAID


def test_a_three_decimal_currency_quote_rounds_to_the_fils():
    event = EventFactory(currency="KWD")
    ticket = TicketTypeFactory(event=event, price=Decimal("12.345"))
    promo = PromoCodeFactory(event=event, code="TENTH", value=Decimal("10"))
    quote = services.order_quote(event=event, quantities={ticket: 1}, promo_code=promo)
    # 10 % of 12.345 is 1.2345: half up to the fils (1.235), not to the cent (1.23).
    assert (quote.subtotal, quote.discount, quote.total) == (Decimal("12.345"), Decimal("1.235"), Decimal("11.110"))


def test_free_order_skips_payment_and_mails_qr_tickets_and_calendar(django_capture_on_commit_callbacks):
    virtual = TicketTypeFactory(name="Virtual pass", price=Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(virtual, 2, attendees=[{"name": "Ada"}, {"name": ""}])
    assert order.status == Order.Status.PAID and order.paid_at is not None
    assert [t.attendee_name for t in order.tickets.all()] == ["Ada", ""]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer0@example.org"]
    names = [a[0] for a in message.attachments]
    assert sum(n.endswith(".png") for n in names) == 2
    assert any(n.endswith(".ics") for n in names)
    png = next(a[1] for a in message.attachments if a[0].endswith(".png"))
    assert png.startswith(b"\x89PNG")
    ics = next(a[1] for a in message.attachments if a[0].endswith(".ics"))
    ics = ics.decode() if isinstance(ics, bytes) else ics
    local_start = order.event.local(order.event.start)
    assert "BEGIN:VEVENT" in ics
    assert f"DTSTART;TZID={order.event.time_zone}:{local_start:%Y%m%dT%H%M%S}" in ics.replace("\r\n ", "")
    assert order.get_absolute_url() in message.body


def test_a_hundred_percent_code_makes_the_order_free():
    full = TicketTypeFactory(price=Decimal("749.00"))
    PromoCodeFactory(event=full.event, code="SPEAKER", value=Decimal("100"), ticket_types=[full])
    order = _order(full, 1, promo_code="SPEAKER")
    assert order.total == Decimal("0.00") and order.status == Order.Status.PAID


def test_sold_out_counts_paid_and_unexpired_holds_but_not_expired_ones():
    ticket = TicketTypeFactory(capacity=3)
    _order(ticket, 2)
    with pytest.raises(SoldOut, match="Only 1"):
        _order(ticket, 2, n=1)
    _order(ticket, 1, n=2)
    with pytest.raises(SoldOut, match="sold out"):
        _order(ticket, 1, n=3)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert seats_taken(ticket_type_ids=[ticket.pk], now=timezone.now()) == {ticket.pk: 0}
        assert services.orders_expire() == 2
        assert Order.objects.filter(status=Order.Status.EXPIRED).count() == 2
        _order(ticket, 3, n=4)


def test_promo_code_max_uses_counts_orders():
    ticket = TicketTypeFactory()
    PromoCodeFactory(event=ticket.event, code="ONCE", max_uses=1)
    _order(ticket, 2, promo_code="ONCE")
    with pytest.raises(PromoCodeUsedUp):
        _order(ticket, 1, n=1, promo_code="ONCE")


def test_invalid_codes_windows_and_limits_are_refused():
    ticket = TicketTypeFactory(max_per_order=4)
    PromoCodeFactory(event=ticket.event, code="LATER", valid_from=timezone.now() + timedelta(days=1))
    with pytest.raises(PromoCodeInvalid):
        _order(ticket, 1, promo_code="NOPE")
    with pytest.raises(PromoCodeInvalid):
        _order(ticket, 1, promo_code="LATER")
    with pytest.raises(OrderInvalid, match="At most 4"):
        _order(ticket, 5)
    with pytest.raises(OrderInvalid, match="code of conduct"):
        services.order_create(event=ticket.event, quantities={ticket.pk: 1}, **buyer())
    other = TicketTypeFactory()
    with pytest.raises(OrderInvalid):
        services.order_create(event=ticket.event, quantities={other.pk: 1}, accepted_code_of_conduct=True, **buyer())
    hidden = TicketTypeFactory(event=ticket.event, hidden=True)
    with pytest.raises(OrderInvalid):
        _order(hidden, 1)
    ended = TicketTypeFactory(event=ticket.event, sale_ends=timezone.now() - timedelta(minutes=1),
                              sale_starts=timezone.now() - timedelta(days=9))  # fmt: skip
    with pytest.raises(OrderInvalid, match="not on sale"):
        _order(ended, 1)
    closed = TicketTypeFactory(event=EventFactory(registration_closes=timezone.now() - timedelta(minutes=1),
                                                  registration_opens=timezone.now() - timedelta(days=3)))  # fmt: skip
    with pytest.raises(RegistrationClosed):
        _order(closed, 1)


def test_hidden_ticket_type_is_sold_with_a_code_that_names_it():
    ticket = TicketTypeFactory(hidden=True, price=Decimal("10"))
    PromoCodeFactory(event=ticket.event, code="CREW", value=Decimal("100"), ticket_types=[ticket])
    assert _order(ticket, 1, promo_code="CREW").status == Order.Status.PAID


def test_approval_holds_seats_until_staff_decide_then_asks_for_payment(django_capture_on_commit_callbacks, admin_user):
    student = TicketTypeFactory(name="Student", price=Decimal("99.00"), needs_approval=True, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(student, 1)
    assert order.awaiting_approval and order.expires_at is None
    assert "approval" in mail.outbox[-1].body
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert services.orders_expire() == 0
        with pytest.raises(SoldOut):
            _order(student, 1, n=1)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_approve(order=order, actor=admin_user)
    assert order.approved_at and order.expires_at > timezone.now()
    assert "approved" in mail.outbox[-1].subject


def test_payment_marks_paid_and_sends_tickets(django_capture_on_commit_callbacks):
    ticket = TicketTypeFactory()
    order = _order(ticket, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_payment_succeeded(order=order) is True
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert "Your tickets" in mail.outbox[-1].subject
    assert services.order_payment_succeeded(order=order) is True  # told twice: nothing more
    assert len(mail.outbox) == 1


def test_late_payment_with_seats_still_free_is_accepted():
    ticket = TicketTypeFactory(capacity=2)
    order = _order(ticket, 2)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        services.orders_expire()
        assert services.order_payment_succeeded(order=order) is True
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_late_payment_after_seats_are_gone_is_refunded_and_the_buyer_told(
    django_capture_on_commit_callbacks, monkeypatch
):
    refunds = []

    def refund(*, order, amount, reason, actor=None):
        refunds.append((order.code, amount))
        return amount

    monkeypatch.setattr("events.payments.order_refund_payments", refund)
    ticket = TicketTypeFactory(capacity=2, price=Decimal("100.00"))
    late = _order(ticket, 2)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert services.orders_expire() == 1
        late.refresh_from_db()
        assert late.status == Order.Status.EXPIRED
        taker = _order(ticket, 2, n=1)  # the seats returned and were taken
        with django_capture_on_commit_callbacks(execute=True):
            assert services.order_payment_succeeded(order=late) is False
    late.refresh_from_db()
    assert late.status == Order.Status.EXPIRED
    assert refunds == [(late.code, Decimal("200.00"))]
    assert mail.outbox[-1].to == ["buyer0@example.org"]
    assert "refunded" in mail.outbox[-1].subject
    assert "200.00\u00a0USD" in mail.outbox[-1].body
    assert taker.status == Order.Status.PENDING


def test_cancel_within_policy_refunds_and_releases_seats(django_capture_on_commit_callbacks, monkeypatch):
    refunds = []
    monkeypatch.setattr(
        "events.payments.order_refund_payments",
        lambda *, order, amount, reason, actor=None: refunds.append(amount) or amount,
    )
    ticket = TicketTypeFactory(capacity=1, price=Decimal("100.00"))
    order = _order(ticket, 1)
    services.order_payment_succeeded(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(order=order)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED and refunds == [Decimal("100.00")]
    assert "canceled" in mail.outbox[-1].subject
    services.order_payment_refunded(order=order, amount=Decimal("100.00"))
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    _order(ticket, 1, n=1)  # the seat is back


def test_cancel_after_refund_cutoff_is_refused():
    event = EventFactory(refund_cutoff=timezone.now() - timedelta(hours=1))
    order = _order(TicketTypeFactory(event=event), 1)
    services.order_payment_succeeded(order=order)
    with pytest.raises(NotRefundable):
        services.order_cancel(order=order)


def test_partial_then_full_refund_moves_status():
    order = _order(TicketTypeFactory(price=Decimal("100.00")), 2)
    services.order_payment_succeeded(order=order)
    assert services.order_payment_refunded(order=order, amount=Decimal("50")).status == "partially_refunded"
    assert services.order_payment_refunded(order=order, amount=Decimal("150")).status == "refunded"


def test_transitions_table_refuses_illegal_moves():
    order = _order(TicketTypeFactory(price=Decimal("0")), 1)
    assert order.status == Order.Status.PAID
    with pytest.raises(InvalidTransition):
        order.move_to(Order.Status.PENDING)


def test_attendee_names_change_until_the_cutoff():
    event = EventFactory()
    order = _order(TicketTypeFactory(event=event, price=Decimal("0")), 1, attendees=[{"name": ""}])
    ticket = order.tickets.get()
    services.ticket_update(ticket=ticket, attendee_name="Grace Hopper", company="Navy")
    ticket.refresh_from_db()
    assert (ticket.attendee_name, ticket.company) == ("Grace Hopper", "Navy")
    with time_machine.travel(event.changes_cutoff + timedelta(minutes=1)):
        from events.exceptions import ChangesClosed

        with pytest.raises(ChangesClosed):
            services.ticket_update(ticket=ticket, attendee_name="Someone Else")


def test_the_beat_task_expires_holds():
    from events import tasks

    order = _order(TicketTypeFactory(), 1)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert tasks.expire_orders.delay().get() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
