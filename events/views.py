"""Registration and the order's self-service page: parse input, fetch, call one service."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from events import calendar, documents, emails, payments, qr, selectors, services
from events.exceptions import ApplicationError, SoldOut
from events.forms import (
    CONTACT_ROLES,
    OrderDetailsForm,
    SponsorApplicationForm,
    TicketChoiceForm,
    TicketForm,
    WaitingListForm,
)
from events.models import Order, SponsorRepresentationRequest, Sponsorship, SponsorshipPackage, SponsorWaitingListEntry
from members.role_facts import COMPANY_ADMIN
from members.selectors import organizations_named_like
from portal.accounts.mfa import staff_second_factor_required
from portal.core.cache import mark_cacheable, mark_same_for_signed_in, person_has
from portal.core.money import format_money
from portal.core.outcome import carry_out
from portal.core.ratelimit import rate_limit
from portal.payments.models import PaymentMethod

# The first step of registration, for anonymous and signed-in visitors: at most this old (the event page: 10 s).
CHOICE_PAGE_CACHE_SECONDS = 2


def _ticket_labels(quote) -> list[str]:
    labels = []
    for line in quote.lines:
        for n in range(1, line.quantity + 1):
            labels.append(f"{line.ticket_type.name} {n}" if line.quantity > 1 else line.ticket_type.name)
    return labels


def _choice_page(request, event, data=None, *, error: str = "", status: int = 200, initial=None):
    """The first step, with the seats left per ticket type (and the choice made, if any, with its errors;
    or `initial`, the choice to change)."""
    ticket_types = selectors.ticket_types_on_sale(event=event)
    choice = TicketChoiceForm(data, ticket_types=ticket_types, initial=initial)
    if data is not None and choice.is_valid() and error:
        choice.add_error(None, error)
    context = {
        "event": event,
        "choice": choice,
        "ticket_types": ticket_types,
        "open": event.registration_is_open(),
        # Signed-in admins of an organisation may buy for it (anonymous pages stay the same for all).
        "buys_bundles": _buys_bundles(request),
    }
    return render(request, "events/register.html", context, status=status)


def _buys_bundles(request) -> bool:
    """Whether the person may buy bundles for a company: a fact kept with their kind of header, so the signed-in
    choice page, shared by everyone of a kind, asks the database nothing about them."""
    return request.user.is_authenticated and person_has(request, COMPANY_ADMIN)


@require_http_methods(["GET", "POST"])
def register(request, slug: str):
    """Two steps without JavaScript: choose tickets (GET), then details and summary (POST places the order)."""
    data = request.POST if request.method == "POST" else request.GET
    if "step" not in data:
        if request.method == "GET" and request.GET:
            # "Change tickets": the choice made comes back filled in (a page of its own, not cached).
            return _choice_page(request, selectors.event_for_registration(slug), initial=request.GET.dict())
        # The same for every anonymous visitor, who may be kept waiting by a crowd: it may be kept
        # a moment (the seats left are a guide; the order counts them under the lock).
        mark_cacheable(request, seconds=CHOICE_PAGE_CACHE_SECONDS)
        mark_same_for_signed_in(request)  # for everyone of a kind of header (company admins have theirs)
        return _choice_page(request, selectors.event_for_registration(slug))
    # The later steps need the types, not the seats left: those are counted under the lock.
    event, ticket_types = selectors.event_and_ticket_types_on_sale(slug)
    if not event.registration_is_open():
        return _choice_page(request, event, data)
    choice = TicketChoiceForm(data, ticket_types=ticket_types)
    if not choice.is_valid():
        return _choice_page(request, event, data, status=400)
    try:
        quote = services.order_validate(
            event=event,
            quantities=choice.quantities(),
            promo_code=choice.cleaned_data["promo_code"],
            ticket_types=ticket_types,
        )
    except ApplicationError as error:
        return _choice_page(request, event, data, error=error.message, status=400)
    context = {"event": event, "choice": choice, "ticket_types": ticket_types, "open": True}

    initial = {}
    if request.user.is_authenticated:
        initial = {"buyer_name": request.user.get_full_name(), "buyer_email": request.user.email}
    details = OrderDetailsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        ticket_labels=_ticket_labels(quote),
        code_of_conduct_url=event.code_of_conduct_url,
    )
    change = {f"qty_{line.ticket_type.pk}": line.quantity for line in quote.lines}
    if quote.promo_code:
        change["promo_code"] = quote.promo_code.code
    context.update(
        quote=quote,
        details=details,
        hold_minutes=settings.ORDER_HOLD_MINUTES,
        change_url=f"{event.get_register_url()}?{urlencode(change)}",
    )
    if request.method == "GET" or not details.is_valid():
        return render(request, "events/register_details.html", context, status=200 if not details.errors else 400)
    try:
        order = services.order_create(
            event=event,
            quantities=choice.quantities(),
            promo_code=choice.cleaned_data["promo_code"],
            user=request.user,
            ticket_types=ticket_types,
            **details.order_details(),
        )
    except ApplicationError as error:
        details.add_error(None, error.message)
        status = 503 if error.code == "busy" else 409 if error.status_code == 409 else 400
        return render(request, "events/register_details.html", context, status=status)
    return _after_order(request, order, new=True)


def _after_order(request, order: Order, *, new: bool = False):
    if order.status == Order.Status.PAID:
        messages.success(request, "You are registered. Your tickets are on their way to your inbox.")
        return redirect(order.get_absolute_url())
    if order.awaiting_approval:
        messages.info(request, "Thank you! Your registration waits for our approval; we will write to you.")
        return redirect(order.get_absolute_url())
    try:
        return redirect(payments.order_request_payment(order=order, new=new))
    except ApplicationError as error:
        messages.warning(request, error.message)
        return redirect(order.get_absolute_url())


def _order(slug: str, code: str, secret: str) -> Order:
    return selectors.order_for_secret(slug=slug, code=code, secret=secret)


@require_GET
def order_detail(request, slug: str, code: str, secret: str):
    """The self-service page, reached by the secret link in the e-mails."""
    order = _order(slug, code, secret)
    bundle = getattr(order, "bundle", None)  # a company's bundle: its admins assign the attendees
    can_change = order.status in (*Order.SOLD, Order.Status.PENDING) and not order.hold_expired() and not bundle
    live = [ticket for ticket in order.tickets.all() if ticket.canceled_at is None]
    tickets = [
        (
            ticket,
            TicketForm(initial={f: getattr(ticket, f) for f in TicketForm.base_fields}, prefix=f"t{ticket.pk}"),
            len(live) > 1 and services.ticket_can_cancel(ticket),
        )
        for ticket in order.tickets.all()
    ]
    return render(
        request,
        "events/order.html",
        {
            "order": order,
            "event": order.event,
            "tickets": tickets,
            "holders": emails.ticket_holders(order) if order.is_paid else [],
            "can_change": can_change,
            "bundle": bundle,
            "can_cancel": services.order_can_cancel(order),
            "invoice_url": payments.order_invoice_url(order),
            "can_pay": order.status == Order.Status.PENDING
            and order.total > 0
            and not order.awaiting_approval
            and not order.hold_expired(),
        },
    )


@require_POST
def ticket_change(request, slug: str, code: str, secret: str, ticket_code: str):
    order = _order(slug, code, secret)
    ticket = get_object_or_404(order.tickets.all(), code=ticket_code)
    form = TicketForm(request.POST, prefix=f"t{ticket.pk}")
    if not form.is_valid():
        messages.error(request, "Please give the attendee's name (and a valid e-mail, if any).")
        return redirect(order.get_absolute_url())
    carry_out(
        request,
        lambda: services.ticket_update(ticket=ticket, actor=request.user, **form.cleaned_data),
        done=f"Saved: {form.cleaned_data['attendee_name']}.",
    )
    return redirect(order.get_absolute_url())


@require_http_methods(["GET", "POST"])
def ticket_detail(request, slug: str, code: str):
    """The holder's own ticket, reached by the link in their e-mail: this ticket only, not the order."""
    ticket = selectors.ticket_for_holder(slug=slug, code=code)
    form = TicketForm(
        request.POST or None, initial={f: getattr(ticket, f) for f in TicketForm.base_fields}, prefix="ticket"
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                ticket = services.ticket_update(ticket=ticket, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Saved: {ticket.attendee_name}.")
                if ticket.code == code:
                    return redirect(ticket.get_absolute_url())
                # A new holder: this link (and the old QR code) are void; theirs went by e-mail.
                return redirect(ticket.order.event.get_absolute_url())
    status = 400 if form.errors else 200
    return render(
        request, "events/ticket.html", {"ticket": ticket, "event": ticket.order.event, "form": form}, status=status
    )


@require_GET
def holder_ticket_qr(request, slug: str, code: str):
    ticket = selectors.ticket_for_holder(slug=slug, code=code)
    response = HttpResponse(qr.ticket_qr_png(ticket, scale=8), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.short_code}.png"'
    return response


@require_GET
def holder_ticket_pdf(request, slug: str, code: str):
    ticket = selectors.ticket_for_holder(slug=slug, code=code)
    response = HttpResponse(documents.tickets_pdf(ticket.order.event, [ticket]), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.short_code}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def order_cancel(request, slug: str, code: str, secret: str):
    """A confirmation that states the refund (GET), then the cancellation (POST)."""
    order = _order(slug, code, secret)
    if request.method == "POST":
        try:
            quote = services.cancellation_quote(order=order)
            services.order_cancel(order=order, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            refund = f" {format_money(quote.refund, quote.currency)} is on its way back to you." if quote.refund else ""
            messages.success(request, "Your order is canceled." + refund)
        return redirect(order.get_absolute_url())
    context = {
        "order": order,
        "event": order.event,
        "quote": services.cancellation_quote(order=order),
        "allowed": services.order_can_cancel(order),
    }
    return render(request, "events/cancel_confirm.html", context)


@require_http_methods(["GET", "POST"])
def ticket_cancel(request, slug: str, code: str, secret: str, ticket_code: str):
    """One ticket of the order: a confirmation that states its refund (GET), then the cancellation (POST)."""
    order = _order(slug, code, secret)
    ticket = next((t for t in order.tickets.all() if t.code == ticket_code), None)
    if ticket is None:
        raise Http404("No such ticket in this order.")
    if request.method == "POST":
        try:
            quote = services.ticket_cancel(ticket=ticket, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            refund = f" {format_money(quote.refund, quote.currency)} is on its way back to you." if quote.refund else ""
            messages.success(
                request, f"The ticket of {ticket.attendee_name or 'an unnamed attendee'} is canceled." + refund
            )
        return redirect(order.get_absolute_url())
    context = {
        "order": order,
        "event": order.event,
        "ticket": ticket,
        "quote": services.cancellation_quote(order=order, tickets=[ticket]),
        "allowed": services.ticket_can_cancel(ticket),
    }
    return render(request, "events/cancel_confirm.html", context)


@require_POST
def order_pay(request, slug: str, code: str, secret: str):
    order = _order(slug, code, secret)
    if order.status != Order.Status.PENDING or order.hold_expired() or order.awaiting_approval:
        messages.error(request, "This order cannot be paid any more.")
        return redirect(order.get_absolute_url())
    return _after_order(request, order)


@require_GET
def ticket_qr(request, slug: str, code: str, secret: str, ticket_code: str):
    """A ticket's QR code as a PNG, for paid orders only."""
    order = _order(slug, code, secret)
    if not order.is_paid:
        raise Http404("Tickets are issued once the order is paid.")
    ticket = get_object_or_404(order.tickets.all(), code=ticket_code)
    response = HttpResponse(qr.ticket_qr_png(ticket, scale=8), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="ticket-{order.code}-{ticket.pk}.png"'
    return response


@require_GET
def order_tickets_pdf(request, slug: str, code: str, secret: str):
    """All the order's tickets in one printable PDF, for paid orders only."""
    order = _order(slug, code, secret)
    if not order.is_paid:
        raise Http404("Tickets are issued once the order is paid.")
    response = HttpResponse(documents.order_tickets_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{order.code}.pdf"'
    return response


def _calendar_response(body: str, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    return response


@require_GET
def order_calendar(request, slug: str, code: str, secret: str):
    order = _order(slug, code, secret)
    body = calendar.event_ics(order.event, url=request.build_absolute_uri(order.event.get_absolute_url()))
    return _calendar_response(body, f"{order.event.slug}.ics", attachment=True)


@require_GET
def event_calendar(request, slug: str):
    """One published event as a calendar file, for "Add to calendar"."""
    event = get_object_or_404(selectors.events_published(), slug=slug)
    body = calendar.event_ics(event, url=request.build_absolute_uri(event.get_absolute_url()))
    return _calendar_response(body, f"{event.slug}.ics", attachment=True)


@require_GET
def calendar_feed(request):
    """The upcoming published events, for calendars to subscribe to."""
    body = calendar.calendar_ics(
        selectors.events_upcoming(),
        url_for=lambda event: request.build_absolute_uri(event.get_absolute_url()),
        name=f"{settings.WAGTAIL_SITE_NAME} events",
    )
    return _calendar_response(body, "events.ics", attachment=False)


@login_required
@permission_required("events.check_in_ticket", raise_exception=True)
@staff_second_factor_required
@require_http_methods(["GET", "POST"])
def checkin(request, slug: str):
    """The door: type or scan a ticket code (POST), or search by name or e-mail (GET ?q=)."""
    event = selectors.event_for_staff(slug)
    result, status = None, 200
    if request.method == "POST":
        try:
            ticket = services.ticket_check_in(event=event, code=request.POST.get("code", ""), actor=request.user)
        except ApplicationError as error:
            kind = "warning" if error.code == "already_checked_in" else "error"
            result, status = {"kind": kind, "message": error.message}, error.status_code
        else:
            name = ticket.attendee_name or ticket.order.buyer_name
            result = {"kind": "success", "message": f"Welcome, {name}! {ticket.ticket_type.name}: checked in."}
    query = request.GET.get("q", "").strip()
    # No search, no list: even an empty queryset would be compiled, joins and all.
    tickets = list(selectors.tickets_for_checkin(event=event, query=query)) if query else []
    for ticket in tickets:
        # Formatted here: template filters would convert back to the site's time zone.
        ticket.checked_in_label = f"{event.local(ticket.checked_in_at):%H:%M}" if ticket.checked_in_at else ""
        bundle = getattr(ticket.order, "bundle", None)  # a company's bundle: no attendee, no entry
        ticket.unassigned_of = bundle.organization.name if bundle and not ticket.attendee_name else ""
    context = {
        "event": event,
        "result": result,
        "query": query,
        "tickets": tickets,
        "counts": selectors.checkin_counts(event),
    }
    return render(request, "events/checkin.html", context, status=status)


# --- Waiting list -------------------------------------------------------------------------
# These forms are public or reached by a signed link: no CSRF cookie on an anonymous page
# (BRIEF.md), and the link itself is the permission for the offer and leave pages.


@csrf_exempt
@require_http_methods(["GET", "POST"])
def waiting_list_join(request, slug: str):
    """Join the waiting list of a sold-out ticket type with an e-mail and a number of seats."""
    event = selectors.event_for_registration(slug)
    sold_out = [tt for tt in selectors.ticket_types_on_sale(event=event) if not tt.available]
    form = WaitingListForm(
        request.POST or None, ticket_types=sold_out, initial={"ticket_type": request.GET.get("ticket_type")}
    )
    joined = None
    if request.method == "POST" and form.is_valid():
        try:
            joined = services.waiting_list_join(
                ticket_type=form.cleaned_data["ticket_type"],
                email=form.cleaned_data["email"],
                quantity=form.cleaned_data["quantity"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
    status = 400 if form.errors else 200
    return render(
        request,
        "events/waiting_list.html",
        {"event": event, "form": form, "joined": joined, "sold_out": sold_out},
        status=status,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def waiting_list_offer(request, slug: str, token: str):
    """The offered seats, bought with the link from the offer e-mail (and only with it)."""
    entry = selectors.waiting_list_entry_for_token(slug=slug, token=token, purpose="offer")
    event = entry.ticket_type.event
    labels = [
        entry.ticket_type.name if entry.quantity == 1 else f"{entry.ticket_type.name} {n}"
        for n in range(1, entry.quantity + 1)
    ]
    details = OrderDetailsForm(
        request.POST or None,
        initial={"buyer_email": entry.email},
        ticket_labels=labels,
        code_of_conduct_url=event.code_of_conduct_url,
    )
    context = {
        "event": event,
        "entry": entry,
        "details": details,
        "price": entry.ticket_type.price,
        "total": entry.ticket_type.price * entry.quantity,
        "leave_url": emails.waiting_list_leave_url(entry),
        "open": entry.offer_is_open(),
        "expires": f"{event.local(entry.offer_expires_at):%d %B %Y, %H:%M}" if entry.offer_expires_at else "",
    }
    if not context["open"]:
        return render(request, "events/waiting_list_offer.html", context, status=410)
    if request.method == "GET" or not details.is_valid():
        return render(request, "events/waiting_list_offer.html", context, status=400 if details.is_bound else 200)
    try:
        order = services.order_create(
            event=event,
            quantities={entry.ticket_type_id: entry.quantity},
            user=request.user,
            waiting_list_entry=entry,
            **details.order_details(),
        )
    except ApplicationError as error:
        details.add_error(None, error.message)
        return render(request, "events/waiting_list_offer.html", context, status=error.status_code)
    return _after_order(request, order, new=True)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def waiting_list_leave(request, slug: str, token: str):
    """One click from the e-mail (POST, as RFC 8058 one-click unsubscribe); GET shows the button."""
    entry = selectors.waiting_list_entry_for_token(slug=slug, token=token, purpose="leave")
    if request.method == "POST":
        entry = services.waiting_list_leave(entry=entry)
    return render(request, "events/waiting_list_leave.html", {"event": entry.ticket_type.event, "entry": entry})


# --- Sponsorship --------------------------------------------------------------------------


def _application_key(event) -> str:
    return f"sponsor-application:{event.pk}"


def _application_form(request, event, data=None, *, initial=None) -> SponsorApplicationForm:
    return SponsorApplicationForm(
        data,
        organizations=selectors.organizations_administered_by(request.user),
        packages=SponsorshipPackage.objects.filter(event=event),
        initial=initial,
    )


@require_GET
def sponsor(request, slug: str):
    """Packages with the slots left, and the person's own applications (their state, on the package they took);
    anyone signed in applies for their company (a member or not) through the application and its review."""
    event = selectors.event_for_registration(slug)
    packages = list(selectors.sponsorship_packages_with_slots(event=event))
    applications = selectors.sponsor_applications_of(request.user, event)
    pending = SponsorRepresentationRequest.Status.PENDING
    mine = {w.package_id: "On the waiting list" for w in applications["waiting"]}
    mine.update({r.package_id: r.get_status_display() for r in applications["representations"] if r.status == pending})
    mine.update({s.package_id: s.get_status_display() for s in applications["sponsorships"]})
    for package in packages:
        package.my_application = mine.get(package.pk, "")
    context = {
        "event": event,
        "packages": packages,
        "applications": applications,
        "has_applications": any(applications.values()),
        "events_email": settings.EVENTS_EMAIL,
    }
    return render(request, "events/sponsor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sponsor_apply(request, slug: str):
    """The application: package, organisation, contacts, billing, payment method; valid, it waits in the
    session for its review (nothing is written until Submit there)."""
    event = selectors.event_for_registration(slug)
    status = 200
    if request.method == "POST":
        form = _application_form(request, event, request.POST)
        if form.is_valid():
            request.session[_application_key(event)] = {
                name: request.POST.get(name, "") for name in form.fields if name in request.POST
            }
            return redirect("events:sponsor-review", slug=event.slug)
        status = 400
    else:
        draft = request.session.get(_application_key(event))
        user = request.user
        person = {"name": user.get_full_name(), "email": user.email}
        initial = draft or {
            "package": request.GET.get("package"),
            # An organisation's admin applies for it; staff (who may apply for any) choose.
            "organization": None
            if user.has_perm("events.change_sponsorship")
            else selectors.organizations_administered_by(user).first(),
            "payment_method": PaymentMethod.CARD,
            **{f"{role}_contact_{key}": value for role, _ in CONTACT_ROLES for key, value in person.items()},
        }
        form = _application_form(request, event, initial=initial)
    return render(request, "events/sponsor_apply.html", {"event": event, "form": form}, status=status)


def _sponsorship_quote(package, data: dict):
    """The invoice's net, tax and gross for these billing details; None when no tax rate is on file."""
    try:
        return services.sponsorship_quote(
            package=package, billing_country=data["billing_country"], vat_number=data.get("billing_vat_number", "")
        )
    except ApplicationError:  # no rate for the country yet: Finance add it; the review still goes on
        return None


@login_required
@rate_limit("sponsor", "10/h")
@require_http_methods(["GET", "POST"])
def sponsor_review(request, slug: str):
    """ "Review your application": what will be sent, with Edit (back to the form, values kept) and Submit.
    A name that is an organisation already here says who will be asked to confirm; a close one asks
    "Did you mean …?". A refusal (a package that filled meanwhile) shows at the top, with the way on."""
    event = selectors.event_for_registration(slug)
    draft = request.session.get(_application_key(event))
    form = _application_form(request, event, draft) if draft else None
    if form is None or not form.is_valid():
        return redirect("events:sponsor-apply", slug=event.slug)
    data = form.cleaned_data
    package = next(p for p in selectors.sponsorship_packages_with_slots(event=event) if p.pk == data["package"].pk)
    name_match = None if data.get("organization") else organizations_named_like(data["organization_name"])
    represent = None
    if name_match and name_match.same:
        administered = selectors.organizations_administered_by(request.user).filter(pk=name_match.same.pk).exists()
        represent = None if administered else name_match.same
    error, status = "", 200
    if request.method == "POST":
        # Only what the page offered: a package that filled since it showed is refused, not waited for silently.
        waiting_list = request.POST.get("waiting_list") == "1"
        try:
            outcome = services.sponsorship_apply(
                package=package,
                actor=request.user,
                organization=data.get("organization"),
                organization_name=data.get("organization_name", ""),
                contacts=form.contacts(),
                billing=form.billing(),
                payment_method=data["payment_method"],
                waiting_list=waiting_list,
            )
        except ApplicationError as refusal:
            error, status = refusal.message, refusal.status_code
            if isinstance(refusal, SoldOut):
                package.slots_left = 0
        else:
            del request.session[_application_key(event)]
            messages.success(request, _applied_message(outcome, package, form.contacts()["billing"]["email"]))
            return redirect(reverse("events:sponsor", kwargs={"slug": event.slug}) + "#your-applications")
    context = {
        "event": event,
        "form": form,
        "data": data,
        "package": package,
        "country": dict(countries).get(data["billing_country"], data["billing_country"]),
        "quote": _sponsorship_quote(package, data),
        "represent": represent,
        "close_names": name_match.close if name_match else [],
        "error": error,
    }
    return render(request, "events/sponsor_review.html", context, status=status)


def _applied_message(outcome, package, email: str) -> str:
    if isinstance(outcome, SponsorRepresentationRequest):
        who = "the events team confirms" if outcome.asked_staff else "one of its administrators confirms"
        return (
            f"{outcome.organization.name} is already on the site: your application for {package.name} waits until "
            f"{who} that you represent it. We will e-mail you either way."
        )
    if isinstance(outcome, SponsorWaitingListEntry):
        return (
            f"{outcome.organization.name} is on the {package.name} waiting list; a confirmation is on its way to "
            f"{email}."
        )
    return (
        f"Thank you! {outcome.organization.name}'s application for {package.name} holds its slot while our events "
        f"team decides (within {Sponsorship.REQUEST_HOLD_DAYS} days); a confirmation is on its way to {email}. Once "
        f"approved, the invoice goes to {email}, to pay by {outcome.get_payment_method_display().lower()}."
    )


def decide_representation(request, representation: SponsorRepresentationRequest, *, done: str) -> None:
    """Confirm or refuse that the applicant represents the organisation, as the POSTed action says, and tell the
    decider (an admin of the organisation on the e-mailed link, or Events staff in the admin) how it went."""
    decide = {
        "confirm": services.sponsor_representation_confirm,
        "refuse": services.sponsor_representation_refuse,
    }.get(request.POST.get("action", ""))
    if decide is None:
        messages.error(request, "Choose Confirm or Refuse.")
        return
    carry_out(request, lambda: decide(request=representation, actor=request.user), done=done)


@login_required
@require_http_methods(["GET", "POST"])
def sponsor_representation(request, slug: str, token: str):
    """The e-mailed link: an admin of the organisation (or Events staff) confirms or refuses that the applicant
    represents it. Anyone else gets a 404."""
    representation = selectors.representation_request_for_decider(request.user, token)
    if request.method == "POST":
        decide_representation(
            request, representation, done=f"Thank you: {representation.applicant.email} has been told."
        )
        return redirect(request.path)
    return render(request, "events/sponsor_representation.html", {"representation": representation})
