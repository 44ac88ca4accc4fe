"""Company ticket bundles: buying one from an event's register page, and the organisation's page where its
admins assign, reassign and unassign the attendees. Parse input, fetch with the permission, call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from events import bundle_selectors, selectors
from events.bundle_forms import AssignForm, BundleForm
from events.exceptions import ApplicationError
from events.models import Order
from events.services import bundles as bundle_services
from portal.core.outcome import carry_out
from portal.core.ratelimit import rate_limit
from portal.payments.models import PaymentMethod


def bundles_url(organization) -> str:
    return reverse("events:bundles", kwargs={"org": organization.slug})


@login_required
@rate_limit("bundle", "20/h")
@require_http_methods(["GET", "POST"])
def bundle_buy(request, slug: str):
    """An organisation's admin orders many tickets of one type on one order; anyone else is sent away (404)."""
    event = selectors.event_for_registration(slug)
    organizations = bundle_selectors.organizations_buying_bundles(request.user)
    if not organizations.exists():
        raise Http404("Company bundles are bought by the admins of an organisation.")
    ticket_types = selectors.ticket_types_on_sale(event=event)
    ticket_types = [tt for tt in ticket_types if not tt.needs_approval]
    form = BundleForm(
        request.POST or None,
        organizations=organizations,
        ticket_types=ticket_types,
        initial={"buyer_name": request.user.get_full_name(), "buyer_email": request.user.email},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                bundle = bundle_services.bundle_create(
                    event=event,
                    organization=data["organization"],
                    ticket_type=data["ticket_type"],
                    quantity=data["quantity"],
                    actor=request.user,
                    buyer_name=data["buyer_name"],
                    buyer_email=data["buyer_email"],
                    billing=form.billing(),
                    payment_method=data["payment_method"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
                status = 503 if error.code == "busy" else error.status_code
            else:
                return _after_bundle(request, bundle, data["payment_method"])
        else:
            status = 400
    context = {
        "event": event,
        "form": form,
        "ticket_types": ticket_types,
        "open": event.registration_is_open(),
        "cutoff": _local(event, event.bundle_assign_cutoff),
    }
    return render(request, "events/bundles/buy.html", context, status=status)


def _after_bundle(request, bundle, method: str):
    order, organization = bundle.order, bundle.organization
    if order.status == Order.Status.PAID:
        messages.success(
            request, f"{organization.name}'s {order.tickets.count()} tickets are yours: assign them below."
        )
        return redirect(bundles_url(organization))
    if method == PaymentMethod.BANK_TRANSFER:
        messages.success(
            request,
            f"The invoice for order {order.code} is on its way to {order.buyer_email}; the seats are held "
            f"until {order.event.local(order.expires_at):%d %B %Y}. You can assign the attendees now: "
            "they get their tickets once the transfer arrives.",
        )
        return redirect(bundles_url(organization))
    try:
        return redirect(bundle_services.bundle_request_payment(bundle=bundle, return_url=bundles_url(organization)))
    except ApplicationError as error:
        messages.warning(request, error.message)
        return redirect(bundles_url(organization))


@login_required
@require_http_methods(["GET"])
def bundles_page(request, org: str):
    """The organisation's bundles with a form per ticket: its admins only (404 for anyone else)."""
    organization = bundle_selectors.organization_for_bundle_admin(request.user, org)
    now = timezone.now()
    bundles = []
    for bundle in bundle_selectors.bundles_of(organization):
        order, event = bundle.order, bundle.order.event
        cutoff = event.bundle_assign_cutoff
        live = [t for t in order.tickets.all() if t.canceled_at is None]
        open_ = now < cutoff and (
            order.is_paid or (order.status == Order.Status.PENDING and not order.hold_expired(now))
        )
        bundles.append(
            {
                "bundle": bundle,
                "order": order,
                "event": event,
                "line": next(iter(order.lines.all()), None),
                "cutoff": _local(event, cutoff),
                "held_until": _local(event, order.expires_at) if order.expires_at else "",
                "open": open_,
                "assigned": sum(1 for t in live if t.attendee_name),
                "tickets": [
                    (ticket, AssignForm(initial=_initial(ticket), prefix=f"t{ticket.pk}") if open_ else None)
                    for ticket in live
                ],
            }
        )
    return render(request, "events/bundles/list.html", {"organization": organization, "bundles": bundles})


def _local(event, moment) -> str:
    """A moment in the event's time zone (formatted here: template filters would convert it back)."""
    return f"{event.local(moment):%d %B %Y, %H:%M %Z}"


def _initial(ticket) -> dict:
    return {
        "attendee_name": ticket.attendee_name,
        "attendee_email": ticket.attendee_email,
        "company": ticket.company,
        "job_title": ticket.job_title,
    }


@login_required
@rate_limit("bundle_assign", "300/h")
@require_POST
def bundle_ticket_assign(request, org: str, ticket_id: int):
    ticket = bundle_selectors.bundle_ticket_for_admin(request.user, slug=org, ticket_id=ticket_id)
    form = AssignForm(request.POST, prefix=f"t{ticket.pk}")
    if not form.is_valid():
        messages.error(request, "Give the attendee's name and a valid e-mail: their ticket goes to that address.")
        return redirect(bundles_url(ticket.order.bundle.organization))
    before = ticket.attendee_name
    try:
        ticket = bundle_services.bundle_ticket_assign(ticket=ticket, actor=request.user, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if before and before != ticket.attendee_name:
            done = f"{before}'s ticket now belongs to {ticket.attendee_name}; {before}'s code no longer admits anyone."
        else:
            done = f"Assigned to {ticket.attendee_name}."
        sent = f" Their ticket is on its way to {ticket.attendee_email}." if ticket.order.is_paid else ""
        messages.success(request, done + sent)
    return redirect(bundles_url(ticket.order.bundle.organization))


@login_required
@rate_limit("bundle_assign", "300/h")
@require_POST
def bundle_ticket_unassign(request, org: str, ticket_id: int):
    ticket = bundle_selectors.bundle_ticket_for_admin(request.user, slug=org, ticket_id=ticket_id)
    before = ticket.attendee_name
    carry_out(
        request,
        lambda: bundle_services.bundle_ticket_unassign(ticket=ticket, actor=request.user),
        done=f"{before}'s ticket is unassigned; their code no longer admits anyone.",
    )
    return redirect(bundles_url(ticket.order.bundle.organization))
