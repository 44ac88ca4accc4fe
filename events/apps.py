from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from events import account, api, handlers  # noqa: F401 - importing api registers its viewsets
        from portal.core.audit import register_actions
        from portal.core.cache import keep_for_signed_in

        keep_for_signed_in("events:register")  # the ticket choice, the same for everyone of a kind of header

        register_actions(
            {
                "events.order.create": ("Create order", "Order placed"),
                "events.order.paid": ("Mark order paid", "Order paid"),
                "events.order.late_payment_refused": ("Refuse late payment", "Late payment refused: seats gone"),
                "events.order.refunded": ("Record refund", "Refund recorded"),
                "events.order.flag": ("Flag order", "Order flagged: its payment was taken back"),
                "events.order.expire": ("Expire order", "Order hold expired"),
                "events.order.approve": ("Approve order", "Order approved"),
                "events.order.cancel": ("Cancel order", "Order canceled"),
                "events.ticket.update": ("Change attendee", "Attendee details changed"),
                "events.ticket.cancel": ("Cancel ticket", "Ticket canceled"),
                "events.ticket_type.seats_offered": ("Offer added seats", "Added seats offered to the waiting list"),
                "events.order.payment_link_sent": ("Send payment link", "Unpaid order's link e-mailed"),
                "events.order.refund_by_staff": ("Refund order", "Order refunded by staff"),
                "events.ticket.check_in": ("Check in", "Ticket checked in"),
                "events.waiting_list.join": ("Join waiting list", "Joined the waiting list"),
                "events.waiting_list.offer": ("Offer seats", "Seats offered from the waiting list"),
                "events.waiting_list.leave": ("Leave waiting list", "Left the waiting list"),
                "events.waiting_list.expire": ("Expire offer", "Waiting-list offer expired"),
                "events.sponsorship.request": ("Request sponsorship", "Sponsorship requested"),
                "events.sponsorship.approve": ("Approve sponsorship", "Sponsorship approved"),
                "events.sponsorship.invoice": ("Invoice sponsorship", "Sponsorship invoiced"),
                "events.sponsorship.paid": ("Sponsorship paid", "Sponsorship paid"),
                "events.sponsorship.cancel": ("Cancel sponsorship", "Sponsorship canceled"),
                "events.sponsor_waiting_list.join": ("Join sponsor waiting list", "Joined the sponsor waiting list"),
                "events.sponsor_organization.create": ("Register sponsor company", "Company registered to sponsor"),
                "events.bundle.create": ("Buy ticket bundle", "Company ticket bundle ordered"),
                "events.bundle.assign": ("Assign bundle ticket", "Bundle ticket assigned to an attendee"),
                "events.bundle.unassign": ("Unassign bundle ticket", "Bundle ticket given back unassigned"),
                "events.sponsor_representation.request": (
                    "Ask to represent an organisation",
                    "Asked to represent an organisation as sponsor",
                ),
                "events.sponsor_representation.confirm": (
                    "Confirm a sponsor's representative",
                    "Representative confirmed",
                ),
                "events.sponsor_representation.refuse": ("Refuse a sponsor's representative", "Representative refused"),
                "events.sponsor_benefit.release": ("Release sponsor benefit", "Sponsor benefit released"),
                "events.sponsor_benefit.fulfil": ("Fulfil sponsor benefit", "Sponsor benefit delivered"),
                "events.sponsor_benefit.withdraw": ("Withdraw sponsor benefits", "Sponsor benefits withdrawn"),
                "events.sponsor_asset.receive": ("Receive sponsor material", "Sponsor material received"),
            }
        )
        handlers.register()
        account.register()
