"""/join/apply/ (signed in), a tier's waiting list, and joining, editing and leaving the individual membership.
Views parse, fetch and call one service."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from members import selectors, services
from members.exceptions import TierFull
from members.forms import (
    AffiliationFormSet,
    ApplicationForm,
    IndividualJoinForm,
    IndividualProfileForm,
    WaitlistForm,
    affiliations_from,
)
from members.models import MembershipTier
from portal.core.exceptions import ApplicationError
from portal.core.ratelimit import rate_limit


@never_cache
@login_required
def apply(request):
    initial = {"contact_name": request.user.get_full_name(), "contact_email": request.user.email}
    tier_slug = request.GET.get("tier", "")
    if tier_slug:
        initial["requested_tier"] = MembershipTier.objects.filter(slug=tier_slug, is_public=True).first()
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(
                applicant=request.user,
                tier=form.cleaned_data["requested_tier"],
                data=form.application_data(),
                agreement_accepted=form.cleaned_data["agreement"],
                logo=form.cleaned_data.get("logo"),
            )
        except TierFull as error:
            form.add_error("requested_tier", error.message)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                "Thank you: your application is in. We sent you a confirmation and will write with the decision.",
            )
            return redirect("accounts:home")
    return render(request, "members/apply.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def waitlist(request, slug: str):
    # Only a tier with a seat limit has a waiting list; any other takes applications at once.
    tier = get_object_or_404(MembershipTier, slug=slug, is_public=True, seat_limit__isnull=False)
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = WaitlistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.waitlist_join(tier=tier, **form.cleaned_data)
        messages.success(request, f"You are on the {tier.name} waiting list: we will write when a seat frees up.")
        return redirect("/join/")
    return render(request, "members/waitlist.html", {"form": form, "tier": tier})


# --- Individual members: join, edit, leave (the list and the profiles are routes of the directory page) ----


def _profile_forms(request, form_class, *, initial=None, affiliations=None):
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial=initial)
    formset = AffiliationFormSet(data, initial=affiliations, prefix="affiliations")
    valid = request.method == "POST" and all([form.is_valid(), formset.is_valid()])  # both, for every error
    return form, formset, valid


def _profile_page(request, context: dict):
    # A POST that comes back to the form failed (a success redirects).
    return render(request, "members/individual_form.html", context, status=400 if request.method == "POST" else 200)


def _profile_fields(form, formset) -> dict:
    """The profile as the join and edit services take it."""
    return {
        "display_name": form.cleaned_data["display_name"],
        "bio": form.cleaned_data["bio"],
        "affiliations": affiliations_from(formset),
        "projects": form.cleaned_data["projects"],
    }


def _profile_save(request, form, formset, valid: bool, save, success: str, **context):
    """On a valid POST `save` the profile fields and go to the profile; else (or on a refusal) show the form."""
    if valid:
        try:
            member = save(**_profile_fields(form, formset))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, success)
            return redirect(member.get_absolute_url())
    return _profile_page(request, {"form": form, "formset": formset, **context})


@never_cache
@login_required
@rate_limit("individual-join", "10/h")
def individual_join(request):
    if selectors.individual_membership_for_user(request.user) is not None:
        messages.info(request, "You are an individual member already; here you can edit your profile.")
        return redirect("individuals:edit")
    form, formset, valid = _profile_forms(
        request, IndividualJoinForm, initial={"display_name": request.user.get_full_name()}
    )

    def join(**fields):
        return services.individual_member_join(
            user=request.user, agreement_accepted=form.cleaned_data["agreement"], **fields
        )

    welcome = "Welcome: you are an individual member of the foundation. This is your profile."
    return _profile_save(request, form, formset, valid, join, welcome, joining=True)


def _individual_member_only(view):
    """For individual members (anyone else goes to the join page); the view gets their membership."""

    @functools.wraps(view)
    def wrapped(request):
        member = selectors.individual_membership_for_user(request.user)
        if member is None:
            return redirect("individuals:join")
        return view(request, member)

    return wrapped


@never_cache
@login_required
@_individual_member_only
def individual_edit(request, member):
    form, formset, valid = _profile_forms(
        request,
        IndividualProfileForm,
        initial={"display_name": member.display_name, "bio": member.bio, "projects": list(member.projects.all())},
        affiliations=[
            {field: getattr(affiliation, field) for field in services.AFFILIATION_FIELDS}
            for affiliation in member.affiliations.all()
        ],
    )

    def update(**fields):
        return services.individual_member_update(member=member, actor=request.user, **fields)

    return _profile_save(request, form, formset, valid, update, "Your profile is saved.", member=member)


@never_cache
@login_required
@_individual_member_only
def individual_leave(request, member):
    if request.method == "POST":
        services.individual_member_leave(member=member, actor=request.user)
        messages.success(request, "You have left the individual membership; your profile is no longer shown.")
        return redirect("accounts:home")
    return render(request, "members/individual_leave.html", {"member": member})
