"""The errors registration raises; views turn them into form errors, the API into 4xx answers."""

from portal.core.exceptions import (
    ApplicationError,
    Busy,
    CapacityBusy,
    Conflict,
    Forbidden,
    Gone,
    InvalidTransition,
    NotFound,
    SoldOut,
)

__all__ = [
    "ApplicationError",
    "Busy",
    "CapacityBusy",
    "InvalidTransition",
    "SoldOut",
    "PromoCodeInvalid",
    "PromoCodeUsedUp",
    "RegistrationClosed",
    "OrderInvalid",
    "ChangesClosed",
    "NotRefundable",
    "TicketNotFound",
    "WrongEvent",
    "TicketNotValid",
    "TicketUnassigned",
    "AlreadyCheckedIn",
]


class PromoCodeInvalid(ApplicationError):
    code = "promo_code_invalid"


class PromoCodeUsedUp(SoldOut):
    code = "promo_code_used_up"


class RegistrationClosed(Conflict):
    code = "registration_closed"


class OrderInvalid(ApplicationError):
    code = "order_invalid"


class ChangesClosed(Conflict):
    code = "changes_closed"


class NotRefundable(Conflict):
    code = "not_refundable"


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class WrongEvent(Conflict):
    """A real ticket, for another event: the person is at the wrong door."""

    code = "wrong_event"


class TicketNotValid(Conflict):
    """The ticket's order is not paid (pending, canceled, refunded)."""

    code = "ticket_not_valid"


class TicketUnassigned(TicketNotValid):
    """A ticket of a company bundle that names no attendee yet: the company assigns it first."""

    code = "ticket_unassigned"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class WaitingListInvalid(ApplicationError):
    code = "waiting_list_invalid"


class OfferExpired(Gone):
    code = "offer_expired"


class NotOrganizationAdmin(Forbidden):
    code = "not_organization_admin"


class SponsorshipInvalid(ApplicationError):
    code = "sponsorship_invalid"


class ContractInvalid(Conflict):
    """A sponsorship contract cannot be signed or uploaded as asked (already signed, canceled, changed file)."""

    code = "contract_invalid"


class SponsorAssetDeadlinePassed(SponsorshipInvalid):
    code = "sponsor_asset_deadline_passed"
