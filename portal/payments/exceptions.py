"""Payment errors: the gateway turns Stripe's errors into these; views show their message."""

from portal.core.exceptions import ApplicationError, InvalidTransition

UNAVAILABLE_MESSAGE = "The payment service is unavailable, please try again in a few minutes."


class PaymentError(ApplicationError):
    code = "payment_error"


class PaymentDeclined(PaymentError):
    """The bank said no; the message is the bank's and is shown to the payer."""

    code = "payment_declined"
    status_code = 402


class PaymentServiceUnavailable(PaymentError):
    """Stripe could not be reached or failed; nothing was recorded as paid."""

    code = "payment_service_unavailable"
    status_code = 503

    def __init__(self, message: str = UNAVAILABLE_MESSAGE, **kwargs) -> None:
        super().__init__(message, **kwargs)


class BelowMinimumCharge(PaymentError):
    code = "below_minimum_charge"


class PaymentNotPayable(InvalidTransition):
    code = "payment_not_payable"


class RefundTooLarge(PaymentError):
    code = "refund_too_large"


class WebhookSignatureInvalid(PaymentError):
    code = "webhook_signature_invalid"


class WebhookMalformed(PaymentError):
    """A correctly signed event we cannot read: answered 400 with what is wrong, and nothing stored."""

    code = "webhook_malformed"


class PaymentRefused(PaymentNotPayable):
    """What the payment is for can no longer be paid (an expired order, a canceled sponsorship)."""

    code = "payment_refused"
