from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "portal.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from portal.core.audit import register_actions

        register_actions(
            {
                "guildhall.payment.create": ("Create payment", "Payment created"),
                "guildhall.payment.requires_action": (
                    "Payment needs action",
                    "Payment awaits the payer's authentication",
                ),
                "guildhall.payment.processing": ("Payment processing", "Payment is processing"),
                "guildhall.payment.succeeded": ("Payment succeeded", "Payment succeeded"),
                "guildhall.payment.failed": ("Payment failed", "Payment failed"),
                "guildhall.payment.canceled": ("Cancel payment", "Payment canceled"),
                "guildhall.payment.refunded": ("Refund payment", "Payment refunded"),
                "guildhall.payment.partially_refunded": ("Refund part of payment", "Payment partially refunded"),
                "guildhall.payment.duplicate": ("Duplicate payment", "Duplicate payment detected"),
                "guildhall.payment.replace": ("Replace payment", "Payment replaced by another"),
                "guildhall.refund.create": ("Create refund", "Refund recorded"),
                "guildhall.invoice.create": ("Create invoice", "Invoice drafted"),
                "guildhall.invoice.update": ("Edit invoice", "Invoice edited"),
                "guildhall.invoice.issue": ("Issue invoice", "Invoice issued"),
                "guildhall.invoice.paid": ("Invoice paid", "Invoice paid"),
                "guildhall.invoice.void": ("Void invoice", "Invoice voided"),
            }
        )
