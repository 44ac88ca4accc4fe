"""Payments: the one Stripe gateway, the payment ledger, invoices and webhooks.

How another app takes money:

    # apps.py ready()
    from portal.payments import registry
    registry.register("events.Order", on_succeeded=order_paid, on_refunded=order_refunded)

    # its service, for a non-zero total (free orders skip payment)
    payment = payments.services.payment_create(owner=order, amount=total, currency="EUR",
                                               payer_email=email, description="...", return_url=...)
    redirect(payment.get_absolute_url())            # the pay page /payments/<public_id>/

`on_succeeded(payment)` runs exactly once, inside the transaction that records the success.
For bank transfers: payment_create(method="bank_transfer") then invoicing.bank_transfer_invoice_issue().
"""
