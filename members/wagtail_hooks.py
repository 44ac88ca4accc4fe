"""Staff screens (Membership group): tiers, organisations, memberships with history, the applications queue,
dues, roles and the waiting list; a CSV export of the current members."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from members import selectors, services
from members.models import (
    DuesPeriod,
    IndividualMember,
    Membership,
    MembershipApplication,
    MembershipTier,
    Organization,
    OrganizationRole,
    TierWaitlistEntry,
)
from portal.core.admin_menu import register_permission_menu_item
from portal.core.admin_views import refuse_with_reason
from portal.core.csv_writer import safe_writer
from portal.core.exceptions import ApplicationError

QUEUE_PERMISSION = "members.change_membershipapplication"


class MembershipTierViewSet(SnippetViewSet):
    model = MembershipTier
    icon = "pick"
    menu_label = "Tiers"
    list_display = ["name", "rank", "annual_fee", "currency", "seat_limit", "board_seat", "is_public"]
    ordering = ["rank"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug"), FieldPanel("rank")]),
        FieldRowPanel([FieldPanel("annual_fee"), FieldPanel("currency"), FieldPanel("tax_rule")]),
        FieldPanel("description"),
        FieldPanel("benefits"),
        FieldRowPanel([FieldPanel("seat_limit"), FieldPanel("board_seat"), FieldPanel("is_public")]),
    ]


class OrganizationViewSet(SnippetViewSet):
    model = Organization
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "country", "industry", "size", "website"]
    list_filter = ["industry", "size"]
    list_export = ["name", "slug", "legal_name", "country", "industry", "size", "website", "vat_id"]
    search_fields = ["name", "slug", "legal_name", "country"]
    ordering = ["name"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldPanel("logo"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("country"), FieldPanel("industry"), FieldPanel("size")]),
        MultiFieldPanel(
            [FieldPanel("legal_name"), FieldPanel("billing_address"), FieldPanel("vat_id")], heading="Invoicing"
        ),
    ]


class MembershipViewSet(SnippetViewSet):
    """Every membership row: a tier change ends one row and starts another, so the list is the history."""

    model = Membership
    icon = "date"
    menu_label = "Memberships"
    list_display = ["organization", "tier", "status", "starts", "ends", "ended_reason"]
    list_filter = ["status", "tier"]
    list_export = ["organization", "tier", "status", "starts", "ends", "ended_reason"]
    search_fields = ["organization__name"]
    ordering = ["organization__name", "-starts"]
    panels = [
        FieldPanel("organization"),
        FieldPanel("tier"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts"), FieldPanel("ends")]),
                FieldPanel("status"),
                FieldPanel("ended_reason"),
            ],
            heading="Period",
        ),
    ]

    def get_queryset(self, request):
        return selectors.memberships_with_history()


class MembershipApplicationViewSet(SnippetViewSet):
    """Every application, whatever its status; the queue (approve, reject) is its own screen."""

    model = MembershipApplication
    icon = "form"
    menu_label = "All applications"
    list_display = ["organization_name", "requested_tier", "status", "created_at"]
    list_filter = ["status", "requested_tier"]
    search_fields = ["organization_name", "legal_name"]
    ordering = ["-created_at"]
    add_to_admin_menu = False
    inspect_view_enabled = True
    panels = [FieldPanel("rejection_reason", read_only=True)]


class DuesPeriodViewSet(SnippetViewSet):
    model = DuesPeriod
    icon = "tasks"
    menu_label = "Dues"
    list_display = ["membership", "starts", "ends", "amount", "currency", "paid_at"]
    list_filter = ["currency"]
    list_export = ["membership", "starts", "ends", "amount", "currency", "paid_at", "refunded_amount"]
    ordering = ["-starts"]
    inspect_view_enabled = True
    panels = [FieldRowPanel([FieldPanel("starts", read_only=True), FieldPanel("ends", read_only=True)])]

    def get_queryset(self, request):
        return DuesPeriod.objects.select_related("membership__organization", "membership__tier")


class OrganizationRoleViewSet(SnippetViewSet):
    model = OrganizationRole
    icon = "user"
    menu_label = "Organisation roles"
    list_display = ["organization", "user", "role"]
    list_filter = ["role"]
    ordering = ["organization__name"]


class WaitlistViewSet(SnippetViewSet):
    model = TierWaitlistEntry
    icon = "list-ul"
    menu_label = "Waiting list"
    list_display = ["tier", "organization_name", "email", "created_at"]
    list_filter = ["tier"]
    list_export = ["tier", "organization_name", "email", "created_at"]


class IndividualMemberViewSet(SnippetViewSet):
    """Individual members, current and former, for staff to read and search; the people edit their own profiles."""

    model = IndividualMember
    icon = "user"
    menu_label = "Individual members"
    list_display = ["display_name", "user", "joined_at", "left_at", "agreement_version"]
    list_export = ["display_name", "slug", "joined_at", "left_at", "agreement_version", "agreement_accepted_at"]
    search_fields = ["display_name", "slug", "affiliations__organization_name"]
    ordering = ["display_name"]
    inspect_view_enabled = True
    inspect_view_fields = ["display_name", "slug", "bio", "joined_at", "left_at", "agreement_version"]
    panels = [FieldPanel("display_name", read_only=True), FieldPanel("bio", read_only=True)]

    def get_queryset(self, request):
        return IndividualMember.objects.select_related("user")


class MembershipGroup(SnippetViewSetGroup):
    menu_label = "Membership"
    menu_icon = "group"
    menu_order = 200
    items = (
        MembershipTierViewSet,
        OrganizationViewSet,
        MembershipViewSet,
        MembershipApplicationViewSet,
        DuesPeriodViewSet,
        OrganizationRoleViewSet,
        WaitlistViewSet,
        IndividualMemberViewSet,
    )


register_snippet(MembershipGroup)


class ApplicationsQueueView(WagtailAdminTemplateMixin, TemplateView):
    """Open applications, oldest first: start review, approve (seats permitting), or reject with a reason."""

    template_name = "members/admin/applications_queue.html"
    page_title = "Membership applications"
    header_icon = "form"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(QUEUE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applications"] = list(selectors.applications_queue())
        context["tiers"] = list(selectors.tiers_with_seats(public_only=False))
        return context


def application_action(request, pk: int, action: str):
    """POST only: one service call per button, its refusal shown as a message."""
    if not request.user.has_perm(QUEUE_PERMISSION):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("members_applications")
    application = get_object_or_404(MembershipApplication, pk=pk)
    try:
        if action == "review":
            services.application_start_review(application=application, actor=request.user)
            messages.success(request, f"{application.organization_name}: under review.")
        elif action == "approve":
            services.application_approve(application=application, actor=request.user)
            messages.success(
                request, f"{application.organization_name} is approved; its first dues invoice has been sent."
            )
        elif action == "reject":
            refuse_with_reason(
                request,
                lambda reason: services.application_reject(application=application, reason=reason, actor=request.user),
                missing="Give the applicant a reason for the rejection.",
                done=f"{application.organization_name}: rejected; the reason was e-mailed.",
            )
    except ApplicationError as error:
        messages.error(request, f"{application.organization_name}: {error.message}")
    return redirect("members_applications")


def members_csv(request):
    """The current members (approved, active, grace) as CSV, for the board and the finance team."""
    if not request.user.has_perm("members.view_membership"):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="members-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = safe_writer(response)
    writer.writerow(
        [
            "organization",
            "slug",
            "legal_name",
            "tier",
            "status",
            "member_since",
            "country",
            "website",
            "vat_id",
            "dues_paid_until",
        ]
    )
    for membership in selectors.members_for_export():
        organization = membership.organization
        paid = [period for period in membership.dues_periods.all() if period.paid_at]
        writer.writerow(
            [
                organization.name,
                organization.slug,
                organization.legal_name,
                membership.tier.name,
                membership.get_status_display(),
                membership.starts.isoformat(),
                organization.country,
                organization.website,
                organization.vat_id,
                paid[0].ends.isoformat() if paid else "",
            ]
        )
    return response


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("members/applications/", ApplicationsQueueView.as_view(), name="members_applications"),
        path(
            "members/applications/<int:pk>/<str:action>/",
            application_action,
            name="members_application_action",
        ),
        path("members/export.csv", members_csv, name="members_export_csv"),
    ]


register_permission_menu_item(
    "Applications queue", "members_applications", icon_name="form", order=199, permission=QUEUE_PERMISSION
)


register_permission_menu_item(
    "Members CSV", "members_export_csv", icon_name="download", order=201, permission="members.view_membership"
)


# The tier change requests queue of the member admin pages (members/manage/admin.py registers its hooks).
from members.manage import admin as _tier_change_admin  # noqa: E402, F401
