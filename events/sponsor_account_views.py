"""The sponsor's own page: /events/sponsorships/<organisation>/, for the organisation's admins.

Its sponsorships across years and events with their state, invoices, benefits and released codes, and the
material to send (logos, the booth staff list) until the package's deadline. Views parse, fetch with the
permission in the query, call one service.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import FileExtensionValidator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from events import sponsor_account
from events.exceptions import ApplicationError
from events.services import benefits as benefit_services
from members.models import Organization
from portal.core.uploads import max_logo_bytes, size_label, validate_logo_file


class LogoForm(forms.Form):
    logo = forms.FileField(
        label="Logo file",
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg"]), validate_logo_file],
        help_text="SVG, PNG or JPEG; one file per format.",
    )


class BoothStaffForm(forms.Form):
    people = forms.CharField(
        label="Booth staff",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text='One person a line: "Name, e-mail".',
    )


def _page(
    request, organization, *, pk: int = 0, logo_error: str = "", booth_error: str = "", booth_text=None, status=200
) -> HttpResponse:
    rows = sponsor_account.sponsor_account_rows(organization)
    for row in rows:
        if row.sponsorship.pk == pk:  # the form that failed shows its error, and keeps what was typed
            row.logo_error, row.booth_error = logo_error, booth_error
            if booth_text is not None:
                row.booth_staff_text = booth_text
    context = {"organization": organization, "rows": rows, "logo_limit": size_label(max_logo_bytes())}
    return render(request, "events/sponsor_account/page.html", context, status=status)


def _for_sponsor_admin(view):
    """A view of the sponsor's own page: signed in, never cached, and given the organisation named in the URL
    only when the user administers it (404 otherwise)."""

    @never_cache
    @login_required
    @wraps(view)
    def wrapper(request, organization: str, **kwargs) -> HttpResponse:
        return view(request, sponsor_account.organization_for_sponsor_admin(request.user, organization), **kwargs)

    return wrapper


@_for_sponsor_admin
@require_GET
def sponsor_account_page(request, organization: Organization):
    return _page(request, organization)


@_for_sponsor_admin
@require_POST
def sponsor_logo_upload(request, organization: Organization, pk: int) -> HttpResponse:
    sponsorship = sponsor_account.sponsorship_for_account(organization, pk)
    form = LogoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(
            request,
            organization,
            pk=pk,
            logo_error=" ".join(str(message) for message in form.errors["logo"]),
            status=400,
        )
    try:
        logo = benefit_services.sponsor_logo_upload(
            sponsorship=sponsorship, file=form.cleaned_data["logo"], actor=request.user
        )
    except ApplicationError as error:
        return _page(request, organization, pk=pk, logo_error=error.message, status=error.status_code)
    messages.success(
        request, f"Your {logo.get_format_display()} logo for {sponsorship.package.event.name} is received."
    )
    return redirect("events:sponsor-account", organization=organization.slug)


@_for_sponsor_admin
@require_POST
def sponsor_booth_staff(request, organization: Organization, pk: int) -> HttpResponse:
    sponsorship = sponsor_account.sponsorship_for_account(organization, pk)
    form = BoothStaffForm(request.POST)
    form.is_valid()
    try:
        people = benefit_services.parse_booth_staff(form.cleaned_data.get("people", ""))
        count = benefit_services.sponsor_booth_staff_set(sponsorship=sponsorship, people=people, actor=request.user)
    except ApplicationError as error:
        return _page(
            request,
            organization,
            pk=pk,
            booth_error=error.message,
            booth_text=form.cleaned_data.get("people", ""),
            status=error.status_code,
        )
    messages.success(request, f"Booth staff for {sponsorship.package.event.name} saved: {count} people.")
    return redirect("events:sponsor-account", organization=organization.slug)
