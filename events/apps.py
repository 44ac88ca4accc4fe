from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from events import account, api, handlers  # noqa: F401 - importing api registers its viewsets
        from portal.audit import register_actions

        register_actions(
            {
                "events.order.create": ("Create order", "Order placed"),
                "events.order.paid": ("Mark order paid", "Order paid"),
                "events.order.late_payment_refused": ("Refuse late payment", "Late payment refused: seats gone"),
                "events.order.refunded": ("Record refund", "Refund recorded"),
                "events.order.expire": ("Expire order", "Order hold expired"),
                "events.order.approve": ("Approve order", "Order approved"),
                "events.order.cancel": ("Cancel order", "Order canceled"),
                "events.ticket.update": ("Change attendee", "Attendee details changed"),
                "events.ticket.check_in": ("Check in", "Ticket checked in"),
            }
        )
        handlers.register()
        account.register()
