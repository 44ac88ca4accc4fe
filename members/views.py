"""/join/apply/ (signed in) and a tier's waiting list. Views parse, fetch and call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from members import services
from members.exceptions import TierFull
from members.forms import ApplicationForm, WaitlistForm
from members.models import MembershipTier
from portal.exceptions import ApplicationError


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
    tier = get_object_or_404(MembershipTier, slug=slug, is_public=True)
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = WaitlistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.waitlist_join(tier=tier, **form.cleaned_data)
        messages.success(request, f"You are on the {tier.name} waiting list: we will write when a seat frees up.")
        return redirect("/join/")
    return render(request, "members/waitlist.html", {"form": form, "tier": tier})
