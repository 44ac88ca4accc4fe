"""The staff screen of one sponsorship's benefits (Wagtail admin, registered in wagtail_hooks.py): release a
benefit early with a reason, mark one delivered; and the material the sponsor sent."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from events.models import BoothStaffMember, SponsorBenefit, SponsorLogo, Sponsorship
from events.services import benefits as benefit_services
from portal.core.outcome import carry_out

BENEFIT_ACTIONS = {
    "release": lambda benefit, user, post: benefit_services.sponsor_benefit_release(
        benefit=benefit, actor=user, reason=post.get("reason", "")
    ),
    "fulfil": lambda benefit, user, post: benefit_services.sponsor_benefit_fulfil(benefit=benefit, actor=user),
}


@permission_required("events.change_sponsorship", raise_exception=True)
@require_http_methods(["GET", "POST"])
def sponsorship_benefits(request, pk: int):
    sponsorship = get_object_or_404(
        Sponsorship.objects.select_related("organization", "package__event").prefetch_related(
            Prefetch("benefit_rows", queryset=SponsorBenefit.objects.select_related("promo_code", "released_by")),
            Prefetch("logo_files", queryset=SponsorLogo.objects.order_by("format")),
            Prefetch("booth_staff", queryset=BoothStaffMember.objects.order_by("name", "pk")),
        ),
        pk=pk,
    )
    if request.method == "POST":
        benefit = get_object_or_404(SponsorBenefit, pk=request.POST.get("benefit"), sponsorship=sponsorship)
        action = BENEFIT_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Unknown action.")
        else:
            carry_out(request, lambda: action(benefit, request.user, request.POST), done=f"{benefit.name}: done.")
        return redirect("events_sponsorship_benefits", pk=sponsorship.pk)
    return TemplateResponse(request, "events/sponsor_account/admin_benefits.html", {"sponsorship": sponsorship})
