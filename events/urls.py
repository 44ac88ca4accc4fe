"""Mounted at /events/ before Wagtail's catch-all; only feed.ics and subpaths of an event (register/,
calendar.ics, order/…), so Wagtail keeps /events/ and /events/<slug>/."""

from django.urls import path

from events import bundle_views, contract_views, sponsor_account_views, views
from portal.core.secret_links import secret_link

app_name = "events"

_order = "<slug:slug>/order/<str:code>/<str:secret>/"
_bundle_ticket = "company-bundles/<slug:org>/tickets/<int:ticket_id>/"
_sponsorship = "sponsorships/<slug:organization>/<int:pk>/"

urlpatterns = [
    path("feed.ics", views.calendar_feed, name="calendar-feed"),
    path("sponsorships/<int:pk>/contract/", contract_views.sponsorship_contract, name="sponsorship-contract"),
    path(
        "sponsorships/<int:pk>/contract/<str:kind>.pdf",
        contract_views.sponsorship_contract_file,
        name="sponsorship-contract-file",
    ),
    path("<slug:slug>/calendar.ics", views.event_calendar, name="event-calendar"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/bundle/", bundle_views.bundle_buy, name="bundle-buy"),
    path("company-bundles/<slug:org>/", bundle_views.bundles_page, name="bundles"),
    path(_bundle_ticket, bundle_views.bundle_ticket_assign, name="bundle-ticket-assign"),
    path(_bundle_ticket + "unassign/", bundle_views.bundle_ticket_unassign, name="bundle-ticket-unassign"),
    path("<slug:slug>/checkin/", views.checkin, name="checkin"),
    path("<slug:slug>/sponsor/", views.sponsor, name="sponsor"),
    path("<slug:slug>/sponsor/apply/", views.sponsor_apply, name="sponsor-apply"),
    path("<slug:slug>/sponsor/review/", views.sponsor_review, name="sponsor-review"),
    path(
        "<slug:slug>/sponsor/representation/<str:token>/",
        secret_link(views.sponsor_representation),
        name="sponsor_representation",
    ),
    path("sponsorships/<slug:organization>/", sponsor_account_views.sponsor_account_page, name="sponsor-account"),
    path(_sponsorship + "logo/", sponsor_account_views.sponsor_logo_upload, name="sponsor-logo-upload"),
    path(_sponsorship + "booth-staff/", sponsor_account_views.sponsor_booth_staff, name="sponsor-booth-staff"),
    path("<slug:slug>/waiting-list/", views.waiting_list_join, name="waiting-list"),
    path(
        "<slug:slug>/waiting-list/offer/<str:token>/", secret_link(views.waiting_list_offer), name="waiting-list-offer"
    ),
    path(
        "<slug:slug>/waiting-list/leave/<str:token>/", secret_link(views.waiting_list_leave), name="waiting-list-leave"
    ),
    path("<slug:slug>/ticket/<str:code>/", secret_link(views.ticket_detail), name="ticket"),
    path("<slug:slug>/ticket/<str:code>/qr.png", secret_link(views.holder_ticket_qr), name="ticket-holder-qr"),
    path("<slug:slug>/ticket/<str:code>/ticket.pdf", secret_link(views.holder_ticket_pdf), name="ticket-holder-pdf"),
    path(_order, secret_link(views.order_detail), name="order"),
    path(_order + "cancel/", secret_link(views.order_cancel), name="order-cancel"),
    path(_order + "pay/", secret_link(views.order_pay), name="order-pay"),
    path(_order + "tickets.pdf", secret_link(views.order_tickets_pdf), name="order-tickets-pdf"),
    path(_order + "calendar.ics", secret_link(views.order_calendar), name="order-calendar"),
    path(_order + "tickets/<str:ticket_code>/", secret_link(views.ticket_change), name="ticket-change"),
    path(_order + "tickets/<str:ticket_code>/cancel/", secret_link(views.ticket_cancel), name="ticket-cancel"),
    path(_order + "tickets/<str:ticket_code>/qr.png", secret_link(views.ticket_qr), name="ticket-qr"),
]
