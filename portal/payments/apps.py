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
                "guildhall.payment.refused": ("Refuse payment", "Payment refused: its owner could not take it"),
                "guildhall.payment.held": ("Hold payment", "Payment held for finance: it does not match"),
                "guildhall.payment.held_returned": ("Return held payment", "Held payment refunded by finance"),
                "guildhall.payment.held_accepted": ("Accept held payment", "Held payment accepted by finance"),
                "guildhall.payment.surplus_refunded": ("Refund surplus", "Surplus of an accepted payment refunded"),
                "guildhall.payment.partly_paid": ("Record part of a transfer", "Transfer recorded: partly paid"),
                "guildhall.payment.write_off": ("Write off", "Short transfer accepted, the difference written off"),
                "guildhall.payment.dispute": ("Dispute", "Dispute reported by Stripe"),
                "guildhall.payment.dispute_lost": ("Dispute lost", "Dispute lost: the ledger reversed"),
                "guildhall.payer_return.create": ("Return to payer", "Money to return to the payer"),
                "guildhall.payer_return.done": ("Return sent", "Money returned to the payer"),
                "guildhall.payment.replace": ("Replace payment", "Payment replaced by another"),
                "guildhall.refund.create": ("Create refund", "Refund recorded"),
                "guildhall.invoice.create": ("Create invoice", "Invoice drafted"),
                "guildhall.invoice.update": ("Edit invoice", "Invoice edited"),
                "guildhall.invoice.issue": ("Issue invoice", "Invoice issued"),
                "guildhall.invoice.paid": ("Invoice paid", "Invoice paid"),
                "guildhall.invoice.void": ("Void invoice", "Invoice voided"),
            }
        )
