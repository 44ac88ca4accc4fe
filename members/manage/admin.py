"""Staff's queue of tier change requests in the Wagtail admin: approve (a new membership row, seats
permitting) or decline with a reason. Imported by members/wagtail_hooks.py, which registers its hooks."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from members.manage import services
from members.models import TierChangeRequest
from members.selectors import tiers_with_seats
from members.tier_changes import Change, tier_change_quote
from portal.core.admin_menu import register_permission_menu_item
from portal.core.admin_views import refuse_with_reason
from portal.core.exceptions import ApplicationError

PERMISSION = "members.change_tierchangerequest"


def _requests():
    return TierChangeRequest.objects.select_related("organization", "tier", "membership__tier", "requested_by")


def _quote(change: TierChangeRequest, *, early: bool = False):
    """What approving costs, as the organisation saw it when asking (None when it cannot be priced)."""
    try:
        return tier_change_quote(membership=change.membership, tier=change.tier, early=early)
    except ApplicationError:
        return None


class TierChangeQueueView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    permission_required = PERMISSION
    raise_exception = True  # a 403, not a log-in loop: the admin has logged the person in already
    template_name = "members/admin/tier_change_queue.html"
    page_title = "Tier change requests"
    header_icon = "pick"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = pending = list(
            _requests().filter(status=TierChangeRequest.Status.PENDING).order_by("created_at")
        )
        for change in pending:
            change.quote = _quote(change)
            change.early_quote = _quote(change, early=True)
        context["decided"] = list(
            _requests().exclude(status=TierChangeRequest.Status.PENDING).select_related("decided_by")[:20]
        )
        context["tiers"] = list(tiers_with_seats(public_only=False))
        context["downgrade"] = Change.DOWNGRADE
        return context


def tier_change_action(request, pk: int, action: str):
    """POST only: one service call per button, its refusal (a full tier, say) shown as a message."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    if request.method != "POST" or action not in ("approve", "decline"):
        return redirect("members_tier_changes")
    change = get_object_or_404(_requests(), pk=pk)
    name = change.organization.name
    try:
        if action == "approve":
            early = request.POST.get("early") == "1"
            new = services.tier_change_approve(change_request=change, actor=request.user, early=early)
            if new.starts > new.previous.starts and new.previous.status != "canceled":
                messages.success(request, f"{name} becomes a {change.tier.name} member on {new.starts:%d %B %Y}.")
            else:
                messages.success(request, f"{name} is now a {change.tier.name} member.")
        else:
            refuse_with_reason(
                request,
                lambda reason: services.tier_change_decline(change_request=change, reason=reason, actor=request.user),
                missing="Give the organisation a reason for declining.",
                done=f"{name}: request declined; the reason was e-mailed.",
            )
    except ApplicationError as error:
        messages.error(request, f"{name}: {error.message}")
    return redirect("members_tier_changes")


@hooks.register("register_admin_urls")
def register_tier_change_urls():
    return [
        path("members/tier-changes/", TierChangeQueueView.as_view(), name="members_tier_changes"),
        path("members/tier-changes/<int:pk>/<str:action>/", tier_change_action, name="members_tier_change_action"),
    ]


register_permission_menu_item(
    "Tier change requests", "members_tier_changes", icon_name="pick", order=200, permission=PERMISSION
)
