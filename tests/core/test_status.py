"""The one status machine: moves the table allows happen, others raise and write nothing."""

import pytest

from events.models import WaitingListEntry
from portal.core.exceptions import InvalidTransition
from tests.events.factories import TicketTypeFactory

pytestmark = pytest.mark.django_db

W = WaitingListEntry.Status


def _entry(email: str, status: str = W.WAITING) -> WaitingListEntry:
    return WaitingListEntry.objects.create(
        ticket_type=TicketTypeFactory(), email=email, status=status, offer_expires_at=None
    )


def test_a_person_who_left_the_waiting_list_cannot_be_offered_seats():
    entry = _entry("ada@example.org", W.LEFT)
    assert not entry.can_move_to(W.OFFERED)
    with pytest.raises(InvalidTransition, match="A left the list waiting list entry cannot become offered"):
        entry.move_to(W.OFFERED)
    assert entry.status == W.LEFT


def test_move_all_moves_every_row_or_none():
    waiting, left = _entry("lin@example.org"), _entry("grace@example.org", W.LEFT)
    rows = WaitingListEntry.objects.filter(pk__in=[waiting.pk, left.pk])
    with pytest.raises(InvalidTransition):
        WaitingListEntry.move_all(rows, W.LEFT)
    waiting.refresh_from_db()
    assert waiting.status == W.WAITING
    assert WaitingListEntry.move_all(WaitingListEntry.objects.filter(pk=waiting.pk), W.LEFT) == 1
    waiting.refresh_from_db()
    assert waiting.status == W.LEFT
