"""Staff screens for registration: events, ticket types and promo codes are edited in the admin;
orders are read-only there (they change only through services) and approvals have their own page."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.models import EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from events import benefit_admin_views, contract_admin, contract_selectors, documents, selectors, services  # noqa: F401 - contract_admin registers its URLs
from events.exceptions import ApplicationError
from events.models import Event, Order, PromoCode, Sponsorship, SponsorshipPackage, TicketType
from events.views import decide_representation
from portal.core.admin_menu import PermissionMenuItem
from portal.core.csv_writer import csv_response
from portal.core.money import format_money
from portal.core.outcome import carry_out


class EventViewSet(ModelViewSet):
    model = Event
    icon = "date"
    list_display = ["name", "start", "city", "status"]
    list_filter = ["status"]
    search_fields = ["name", "city"]
    form_fields = [
        "name",
        "slug",
        "summary",
        "venue",
        "city",
        "country",
        "start",
        "end",
        "time_zone",
        "currency",
        "ticket_tax_rule",
        "sponsorship_tax_rule",
        "registration_opens",
        "registration_closes",
        "status",
        "refund_policy",
        "refund_cutoff",
        "refund_fee",
        "changes_cutoff",
        "bundle_assign_until",
        "code_of_conduct_url",
    ]


class TicketTypeEditView(EditView):
    def save_instance(self):
        with transaction.atomic():
            ticket_type = super().save_instance()
            # A raised capacity: the seats it adds are offered to the waiting list before the public.
            services.ticket_type_seats_added(ticket_type=ticket_type, actor=self.request.user)
        return ticket_type


class TicketTypeViewSet(ModelViewSet):
    model = TicketType
    edit_view_class = TicketTypeEditView
    icon = "tag"
    list_display = ["name", "event", "price", "capacity", "sale_ends", "needs_approval", "hidden"]
    list_filter = ["event", "needs_approval", "hidden"]
    form_fields = [
        "event",
        "name",
        "description",
        "price",
        "capacity",
        "sale_starts",
        "sale_ends",
        "max_per_order",
        "needs_approval",
        "hidden",
        "position",
    ]


class PromoCodeViewSet(ModelViewSet):
    model = PromoCode
    icon = "pick"
    list_display = ["code", "event", "kind", "value", "max_uses", "valid_until", "active"]
    list_filter = ["event", "active"]
    search_fields = ["code"]
    form_fields = ["event", "code", "kind", "value", "ticket_types", "max_uses", "valid_from", "valid_until", "active"]


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Orders move only through the services (capacity, payments, audit): never edited by hand."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class OrderViewSet(ModelViewSet):
    model = Order
    icon = "list-ul"
    list_display = ["code", "buyer_name", "buyer_email", "event", "status", "total", "created_at"]
    list_filter = ["event", "status"]
    search_fields = ["code", "buyer_name", "buyer_email"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["buyer_name"]
    # Every order would add rows to Wagtail's reference index on each save (its event, promo code,
    # buyer): work on the checkout path for a "usage" count nobody reads. Orders are found by event.
    add_to_reference_index = False


register_permission_policy(Order, ReadOnlyPermissionPolicy(Order))


class SponsorshipPackageViewSet(ModelViewSet):
    model = SponsorshipPackage
    icon = "pick"
    list_display = ["name", "event", "price", "slots", "passes_included", "position"]
    list_filter = ["event"]
    form_fields = [
        "event",
        "name",
        "price",
        "slots",
        "benefits",
        "passes_included",
        "pass_ticket_types",
        "discount_percent",
        "discount_tickets",
        "asset_deadline",
        "contract_terms",
        "position",
    ]


class EventsGroup(ModelViewSetGroup):
    menu_label = "Registration"
    menu_icon = "date"
    menu_order = 300
    items = (
        EventViewSet("events_event", url_prefix="events/event"),
        TicketTypeViewSet("events_tickettype", url_prefix="events/tickettype"),
        PromoCodeViewSet("events_promocode", url_prefix="events/promocode"),
        OrderViewSet("events_order", url_prefix="events/order"),
        SponsorshipPackageViewSet("events_sponsorshippackage", url_prefix="events/sponsorshippackage"),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return EventsGroup()


@permission_required("events.change_order", raise_exception=True)
@require_http_methods(["GET", "POST"])
def approvals(request):
    """Orders waiting for staff approval (students, speakers); approving asks the buyer to pay."""
    if request.method == "POST":
        order = get_object_or_404(Order, pk=request.POST.get("order"))
        carry_out(
            request,
            lambda: services.order_approve(order=order, actor=request.user),
            done=f"Order {order.code} approved; the buyer has been told.",
        )
        return redirect("events_approvals")
    waiting = (
        Order.objects.filter(status=Order.Status.PENDING, needs_approval=True, approved_at__isnull=True)
        .select_related("event")
        .prefetch_related("lines__ticket_type")
        .order_by("created_at")
    )
    return TemplateResponse(request, "events/admin/approvals.html", {"orders": waiting})


SPONSORSHIP_ACTIONS = {
    "approve": lambda s, user, post: services.sponsorship_approve(sponsorship=s, actor=user),
    "invoice_card": lambda s, user, post: services.sponsorship_invoice(sponsorship=s, method="card", actor=user),
    "invoice_transfer": lambda s, user, post: services.sponsorship_invoice(
        sponsorship=s, method="bank_transfer", actor=user
    ),
    "cancel": lambda s, user, post: services.sponsorship_cancel(
        sponsorship=s, actor=user, reason=post.get("reason", "") or "Rejected by the events team"
    ),
}


@permission_required("events.change_sponsorship", raise_exception=True)
@require_http_methods(["GET", "POST"])
def sponsorships(request):
    """The pipeline: approve → invoice (card or bank transfer; Finance marks transfers received) → paid."""
    if request.method == "POST":
        sponsorship = get_object_or_404(Sponsorship, pk=request.POST.get("sponsorship"))
        action = SPONSORSHIP_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Unknown action.")
        else:
            carry_out(request, lambda: action(sponsorship, request.user, request.POST), done=f"{sponsorship}: done.")
        return redirect("events_sponsorships")
    status, event_slug = request.GET.get("status", ""), request.GET.get("event", "")
    rows = list(selectors.sponsorships_for_staff(event_slug=event_slug, status=status))
    now = timezone.now()
    for row in rows:
        row.cancellable = services.sponsorship_cancellable(row, now=now)
        row.invoice_waits = contract_selectors.invoice_waits_for_signatures(row)
    return TemplateResponse(
        request,
        "events/admin/sponsorships.html",
        {
            "sponsorships": rows,
            "statuses": Sponsorship.Status.choices,
            "status": status,
            "events": Event.objects.order_by("-start").only("slug", "name"),
            "event_slug": event_slug,
        },
    )


@permission_required("events.change_sponsorship", raise_exception=True)
@require_http_methods(["GET", "POST"])
def sponsor_representations(request):
    """Applicants for an organisation with no admin on the site: Events staff confirm or refuse that they represent it."""
    if request.method == "POST":
        representation = get_object_or_404(
            selectors.representation_requests_for_staff(), pk=request.POST.get("request")
        )
        decide_representation(request, representation, done=f"{representation}: done; the applicant has been told.")
        return redirect("events_sponsor_representations")
    requests = list(selectors.representation_requests_for_staff())
    return TemplateResponse(request, "events/admin/sponsor_representations.html", {"requests": requests})


def _dashboard_event(request):
    slug = request.GET.get("event") or request.POST.get("event")
    events = Event.objects.order_by("-start")
    if slug:
        return get_object_or_404(Event, slug=slug), events
    return selectors.event_next_open() or events.first(), events


@permission_required("events.view_order", raise_exception=True)
@require_http_methods(["GET", "POST"])
def dashboard(request):
    """One event at a glance: capacity, revenue, sponsorships, waiting list; orders with search, refund, cancel."""
    event, events = _dashboard_event(request)
    if request.method == "POST":
        if not request.user.has_perm("events.change_order"):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=request.POST.get("order"), event=event)
        try:
            if request.POST.get("action") == "cancel":
                services.order_cancel(order=order, actor=request.user, by_staff=True)
                messages.success(request, f"Order {order.code} canceled; its seats are free again.")
            elif request.POST.get("action") == "refund":
                refunded = services.order_refund(order=order, actor=request.user)
                messages.success(request, f"Order {order.code}: {format_money(refunded, order.currency)} refunded.")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect(f"{reverse('events_dashboard')}?event={event.slug}&q={request.POST.get('q', '')}")
    context = {"event": event, "events": events, "query": request.GET.get("q", "")}
    if event is not None:
        context["stats"] = selectors.event_dashboard(event)
        context["orders"] = selectors.orders_for_staff(event=event, query=context["query"])[:100]
    return TemplateResponse(request, "events/admin/dashboard.html", context)


@permission_required("events.view_order", raise_exception=True)
def orders_csv(request, slug: str):
    event = get_object_or_404(Event, slug=slug)
    rows = (
        [
            o.code,
            o.status,
            o.buyer_name,
            o.buyer_email,
            o.billing_company,
            "; ".join(f"{line.quantity} x {line.ticket_type.name}" for line in o.lines.all()),
            o.promo_code.code if o.promo_code else "",
            o.subtotal,
            o.discount,
            o.total,
            o.refunded_amount,
            o.currency,
            o.created_at.isoformat(),
            o.paid_at.isoformat() if o.paid_at else "",
        ]  # fmt: skip
        for o in selectors.orders_for_staff(event=event).select_related("promo_code").iterator(chunk_size=500)
    )
    header = ["code", "status", "buyer_name", "buyer_email", "company", "tickets", "promo_code", "subtotal",
              "discount", "total", "refunded", "currency", "created_at", "paid_at"]  # fmt: skip
    return csv_response(f"{event.slug}-orders.csv", header, rows)


@permission_required("events.view_order", raise_exception=True)
def attendees_csv(request, slug: str):
    event = get_object_or_404(Event, slug=slug)
    rows = (
        [
            t.attendee_name,
            t.attendee_email,
            t.company,
            t.job_title,
            t.pronouns,
            t.ticket_type.name,
            t.order.code,
            t.order.buyer_email,
            event.local(t.checked_in_at).isoformat() if t.checked_in_at else "",
        ]  # fmt: skip
        for t in selectors.attendees_for_event(event).iterator(chunk_size=500)
    )
    header = [
        "name",
        "email",
        "company",
        "job_title",
        "pronouns",
        "ticket_type",
        "order",
        "buyer_email",
        "checked_in_at",
    ]
    return csv_response(f"{event.slug}-attendees.csv", header, rows)


@permission_required("events.view_order", raise_exception=True)
def badges(request, slug: str):
    """Pick attendees (all by default) and a layout; the PDF comes from badges_pdf."""
    event = get_object_or_404(Event, slug=slug)
    attendees = list(selectors.attendees_for_event(event))
    context = {"event": event, "attendees": attendees, "layouts": documents.BADGE_LAYOUTS}
    return TemplateResponse(request, "events/admin/badges.html", context)


@permission_required("events.view_order", raise_exception=True)
def badges_pdf(request, slug: str):
    """Badges of the event's attendees, or of those ticked (`ticket` ids), A6 or a label sheet."""
    event = get_object_or_404(Event, slug=slug)
    tickets = selectors.attendees_for_event(event)
    chosen = [pk for pk in request.GET.getlist("ticket") if pk.isdigit()]
    if chosen:
        tickets = tickets.filter(pk__in=chosen)
    layout = request.GET.get("layout") if request.GET.get("layout") in documents.BADGE_LAYOUTS else "a6"
    response = HttpResponse(documents.badges_pdf(event, list(tickets), layout=layout), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-badges-{layout}.pdf"'
    return response


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("events/approvals/", approvals, name="events_approvals"),
        path("events/sponsorships/", sponsorships, name="events_sponsorships"),
        path("events/sponsor-representatives/", sponsor_representations, name="events_sponsor_representations"),
        path(
            "events/sponsorships/<int:pk>/benefits/",
            benefit_admin_views.sponsorship_benefits,
            name="events_sponsorship_benefits",
        ),
        path("events/dashboard/", dashboard, name="events_dashboard"),
        path("events/dashboard/<slug:slug>/orders.csv", orders_csv, name="events_orders_csv"),
        path("events/dashboard/<slug:slug>/attendees.csv", attendees_csv, name="events_attendees_csv"),
        path("events/dashboard/<slug:slug>/badges/", badges, name="events_badges"),
        path("events/dashboard/<slug:slug>/badges.pdf", badges_pdf, name="events_badges_pdf"),
    ]


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return PermissionMenuItem(
        "Event dashboard", reverse("events_dashboard"), icon_name="table", order=305, permission="events.view_order"
    )


@hooks.register("register_admin_menu_item")
def register_sponsorships_menu_item():
    return PermissionMenuItem(
        "Sponsorships",
        reverse("events_sponsorships"),
        icon_name="pick",
        order=320,
        permission="events.change_sponsorship",
    )


@hooks.register("register_admin_menu_item")
def register_approvals_menu_item():
    return MenuItem("Approvals", reverse("events_approvals"), icon_name="tick", order=310)


@hooks.register("register_admin_menu_item")
def register_sponsor_representations_menu_item():
    return PermissionMenuItem(
        "Sponsor representatives",
        reverse("events_sponsor_representations"),
        icon_name="user",
        order=321,
        permission="events.change_sponsorship",
    )
