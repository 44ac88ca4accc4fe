"""Mounted at /events/ before Wagtail's catch-all; only feed.ics and subpaths of an event (register/,
calendar.ics, order/…), so Wagtail keeps /events/ and /events/<slug>/."""

from django.urls import path

from events import views

app_name = "events"

_order = "<slug:slug>/order/<str:code>/<str:secret>/"

urlpatterns = [
    path("feed.ics", views.calendar_feed, name="calendar-feed"),
    path("<slug:slug>/calendar.ics", views.event_calendar, name="event-calendar"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/checkin/", views.checkin, name="checkin"),
    path("<slug:slug>/sponsor/", views.sponsor, name="sponsor"),
    path("<slug:slug>/waiting-list/", views.waiting_list_join, name="waiting-list"),
    path("<slug:slug>/waiting-list/offer/<str:token>/", views.waiting_list_offer, name="waiting-list-offer"),
    path("<slug:slug>/waiting-list/leave/<str:token>/", views.waiting_list_leave, name="waiting-list-leave"),
    path(_order, views.order_detail, name="order"),
    path(_order + "cancel/", views.order_cancel, name="order-cancel"),
    path(_order + "pay/", views.order_pay, name="order-pay"),
    path(_order + "tickets.pdf", views.order_tickets_pdf, name="order-tickets-pdf"),
    path(_order + "calendar.ics", views.order_calendar, name="order-calendar"),
    path(_order + "tickets/<str:ticket_code>/", views.ticket_change, name="ticket-change"),
    path(_order + "tickets/<str:ticket_code>/qr.png", views.ticket_qr, name="ticket-qr"),
]
