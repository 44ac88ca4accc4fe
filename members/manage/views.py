"""The member admin pages. Each view is wrapped by `manage_view` (access.py): log-in, the organisation
through the person's roles (404), the role table (403). Views parse, fetch and call one service."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from members.manage import invitations, selectors, services
from members.manage.access import manage_view, may
from members.manage.forms import BillingDetailsForm, InvitationForm, ProfileForm, TierChangeForm
from members.models import OrganizationRole, TierChangeRequest
from portal.accounts.adapter import NEXT_AFTER_VERIFICATION
from portal.core.exceptions import ApplicationError
from portal.core.outcome import carry_out
from portal.core.ratelimit import rate_limit
from portal.payments.pdf import invoice_pdf as render_pdf


def _page(request, template: str, organization, context: dict, *, status: int = 200) -> HttpResponse:
    """Every organisation page gets the organisation and the links its person's roles allow."""
    roles = organization.user_roles
    nav = [
        (name, label)
        for name, label in (
            ("overview", "Overview"),
            ("profile", "Profile"),
            ("people", "People"),
            ("invoices", "Invoices"),
            ("tier_change", "Tier"),
        )
        if may(roles, name)
    ]
    context = {"organization": organization, "nav": nav, "active": request.resolver_match.url_name, **context}
    return render(request, template, context, status=status)


@never_cache
@login_required
def organizations(request):
    return render(
        request,
        "members/manage/organizations.html",
        {"organizations": list(selectors.organizations_for_user(request.user))},
    )


@manage_view("overview")
def overview(request, organization):
    history = selectors.membership_history_listed(organization)
    unpaid = selectors.unpaid_dues_count(organization) if may(organization.user_roles, "invoices") else None
    context = {
        "history": history,
        "current": (current := selectors.current_membership(history)),
        "comeback": selectors.lapsed_renewal(history) if current is None and unpaid is not None else None,
        "planned": selectors.planned_change(history, current),
        "pending_change": selectors.pending_tier_change(organization),
        "unpaid_count": unpaid,
        "my_roles": [label for value, label in OrganizationRole.Role.choices if value in organization.user_roles],
    }
    return _page(request, "members/manage/overview.html", organization, context)


@manage_view("profile", methods=("GET", "POST"))
def profile(request, organization):
    # The form works on a copy: a refused edit must not rename the organisation in the page's header.
    form = ProfileForm(request.POST or None, request.FILES or None, instance=copy.copy(organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_profile_update(
                organization=organization,
                actor=request.user,
                data=form.profile_data(),
                logo=request.FILES.get("logo"),
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "The profile is saved; the member directory shows it now.")
            return redirect("manage:profile", slug=organization.slug)
    return _page(
        request, "members/manage/profile.html", organization, {"form": form}, status=400 if form.errors else 200
    )


def _people_page(request, organization, form, *, status: int = 200) -> HttpResponse:
    context = {
        "people": list(selectors.people(organization)),
        "invitations": list(selectors.pending_invitations(organization)),
        "form": form,
    }
    return _page(request, "members/manage/people.html", organization, context, status=status)


@manage_view("people")
def people(request, organization):
    return _people_page(request, organization, InvitationForm())


@manage_view("invitation_create", methods=("POST",))
@rate_limit("invitation", "30/h")
def invitation_create(request, organization):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitations.invitation_create(organization=organization, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}; the link works for 7 days.")
            return redirect("manage:people", slug=organization.slug)
    return _people_page(request, organization, form, status=400)


@manage_view("invitation_revoke", methods=("POST",))
def invitation_revoke(request, organization, pk: int):
    invitation = get_object_or_404(organization.invitations.select_related("organization"), pk=pk)
    carry_out(
        request,
        lambda: invitations.invitation_revoke(invitation=invitation, actor=request.user),
        done=f"The invitation to {invitation.email} is revoked; its link no longer works.",
    )
    return redirect("manage:people", slug=organization.slug)


@manage_view("role_remove", methods=("POST",))
def role_remove(request, organization, pk: int):
    role = get_object_or_404(organization.roles.select_related("user", "organization"), pk=pk)
    try:
        services.organization_role_remove(role=role, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("manage:people", slug=organization.slug)
    messages.success(request, f"{role.user.get_full_name() or role.user.email} is no longer {role.get_role_display()}.")
    if role.user_id == request.user.pk:
        return redirect("manage:organizations")  # the person may have just removed their own access
    return redirect("manage:people", slug=organization.slug)


@manage_view("invoices")
def invoices(request, organization):
    return _page(
        request,
        "members/manage/invoices.html",
        organization,
        {"periods": selectors.dues_for_organization(organization)},
    )


@manage_view("invoice_pdf")
def invoice_pdf(request, organization, number: str):

    document = selectors.invoice_for_organization(organization, number)
    response = HttpResponse(render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    return response


@manage_view("invoice_pay", methods=("POST",))
def invoice_pay(request, organization, pk: int):
    dues = selectors.dues_period_for_organization(organization, pk)
    try:
        payment = services.dues_card_payment(dues=dues, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("manage:invoices", slug=organization.slug)
    return redirect(payment.get_absolute_url())  # the payments app's own card page


@manage_view("billing_details", methods=("GET", "POST"))
def billing_details(request, organization):
    form = BillingDetailsForm(request.POST or None, instance=copy.copy(organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_billing_update(
                organization=organization,
                actor=request.user,
                data={name: form.cleaned_data[name] for name in services.BILLING_FIELDS},
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Invoicing details saved: the next invoices carry them.")
            return redirect("manage:invoices", slug=organization.slug)
    context = {"form": form}
    return _page(
        request, "members/manage/billing_details.html", organization, context, status=400 if form.errors else 200
    )


@manage_view("tier_change", methods=("GET", "POST"))
def tier_change(request, organization):
    history = selectors.membership_history(organization)
    current = selectors.current_membership(history)
    changes = selectors.tier_change_requests(organization)
    form = TierChangeForm(request.POST or None, current_tier=current.tier if current else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tier_change_request(organization=organization, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your request is with the membership team; we will write with the decision.")
            return redirect("manage:tier_change", slug=organization.slug)
    context = {
        "form": form,
        "current": current,
        "planned": (planned := selectors.planned_change(history, current)),
        "quotes": selectors.tier_change_quotes(current) if current is not None and planned is None else [],
        "comeback": selectors.lapsed_renewal(history) if current is None else None,
        "changes": changes,
        "pending_change": next((c for c in changes if c.status == TierChangeRequest.Status.PENDING), None),
    }
    return _page(request, "members/manage/tier_change.html", organization, context, status=400 if form.errors else 200)


@never_cache
def invitation(request, token: str):
    """The link in the invitation e-mail: log in or sign up (and come back here), then accept."""
    found = invitations.invitation_for_token(token)
    user = request.user if request.user.is_authenticated else None
    problem = invitations.refusal(found, user)
    status = 200
    if request.method == "POST":
        if user is None:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            invitations.invitation_accept(token=token, user=user)
        except ApplicationError as error:
            problem, status = error, error.status_code
        else:
            messages.success(request, f"Welcome: you are now {found.organization.name}'s {found.get_role_display()}.")
            return redirect("manage:overview", slug=found.organization.slug)
    if user is None:
        # Sign-up verifies the address by e-mail first; the adapter brings the person back here afterwards.
        request.session[NEXT_AFTER_VERIFICATION] = request.path
    context = {
        "invitation": found,
        "problem": problem,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': request.path, 'email': found.email})}",
    }
    return render(request, "members/manage/invitation.html", context, status=status)
