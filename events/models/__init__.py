"""Summit registration: events, ticket types, promo codes, orders, their lines and tickets, waiting lists, sponsorships.

Commerce lives here, not in pages: an event page (portal/site/pages/events.py) only carries content and
finds its event by slug. Prices are Decimal in the event's currency; times are aware UTC and shown
in the event's time zone. One module per concern; callers import `events.models`.
"""

from events.models.benefits import BoothStaffMember, SponsorBenefit, SponsorLogo
from events.models.bundles import TicketBundle
from events.models.codes import ORDER_CODE_ALPHABET, new_order_code, new_secret, new_ticket_code, validate_time_zone
from events.models.contracts import SponsorshipContract, contract_upload_to
from events.models.event import Event
from events.models.orders import Order, OrderLine, Ticket
from events.models.sponsorships import (
    SponsorRepresentationRequest,
    Sponsorship,
    SponsorshipContact,
    SponsorshipPackage,
    SponsorWaitingListEntry,
    sponsor_logo_upload_to,
)
from events.models.ticket_types import PromoCode, TicketType
from events.models.waiting_list import WaitingListEntry

__all__ = [
    "BoothStaffMember",
    "SponsorBenefit",
    "SponsorLogo",
    "Event",
    "ORDER_CODE_ALPHABET",
    "Order",
    "OrderLine",
    "PromoCode",
    "SponsorRepresentationRequest",
    "SponsorWaitingListEntry",
    "Sponsorship",
    "SponsorshipContract",
    "SponsorshipContact",
    "SponsorshipPackage",
    "Ticket",
    "TicketBundle",
    "TicketType",
    "contract_upload_to",
    "WaitingListEntry",
    "new_order_code",
    "new_secret",
    "new_ticket_code",
    "sponsor_logo_upload_to",
    "validate_time_zone",
]
