"""The errors registration raises; views turn them into form errors, the API into 4xx answers."""

from portal.core.exceptions import ApplicationError, Busy, CapacityBusy, InvalidTransition, SoldOut

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


class RegistrationClosed(ApplicationError):
    code = "registration_closed"
    status_code = 409


class OrderInvalid(ApplicationError):
    code = "order_invalid"


class ChangesClosed(ApplicationError):
    code = "changes_closed"
    status_code = 409


class NotRefundable(ApplicationError):
    code = "not_refundable"
    status_code = 409


class TicketNotFound(ApplicationError):
    code = "ticket_not_found"
    status_code = 404


class WrongEvent(ApplicationError):
    """A real ticket, for another event: the person is at the wrong door."""

    code = "wrong_event"
    status_code = 409


class TicketNotValid(ApplicationError):
    """The ticket's order is not paid (pending, canceled, refunded)."""

    code = "ticket_not_valid"
    status_code = 409


class TicketUnassigned(TicketNotValid):
    """A ticket of a company bundle that names no attendee yet: the company assigns it first."""

    code = "ticket_unassigned"


class AlreadyCheckedIn(ApplicationError):
    code = "already_checked_in"
    status_code = 409


class WaitingListInvalid(ApplicationError):
    code = "waiting_list_invalid"


class OfferExpired(ApplicationError):
    code = "offer_expired"
    status_code = 410


class NotOrganizationAdmin(ApplicationError):
    code = "not_organization_admin"
    status_code = 403


class SponsorshipInvalid(ApplicationError):
    code = "sponsorship_invalid"


class ContractInvalid(ApplicationError):
    """A sponsorship contract cannot be signed or uploaded as asked (already signed, canceled, changed file)."""

    code = "contract_invalid"
    status_code = 409


class SponsorAssetDeadlinePassed(SponsorshipInvalid):
    code = "sponsor_asset_deadline_passed"
