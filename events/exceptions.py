"""The errors registration raises; views turn them into form errors, the API into 4xx answers."""

from portal.exceptions import ApplicationError, Busy, InvalidTransition

__all__ = [
    "ApplicationError",
    "Busy",
    "InvalidTransition",
    "SoldOut",
    "PromoCodeInvalid",
    "PromoCodeUsedUp",
    "RegistrationClosed",
    "OrderInvalid",
    "ChangesClosed",
    "NotRefundable",
]


class SoldOut(ApplicationError):
    code = "sold_out"
    status_code = 409


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
