"""The audit log in the Wagtail admin: every audited action, with filters, for the staff who hold
the audit permission (Finance, Membership staff, Events staff; superusers).

Wagtail's own "Site history" report shows each person only the entries on objects they may
change; the audit log is for oversight, so it shows every entry to whoever may read the log.
Filters: action, user, date range, object type and name (Wagtail's site-history filters).
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Value
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.log_actions import registry as log_action_registry

# Reading the whole log: Django's own "view" permission on Wagtail's log model.
AUDIT_PERMISSION = "wagtailcore.view_modellogentry"


def can_read_audit_log(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(AUDIT_PERMISSION))


def _all_entries():
    return [model.objects.all() for model in log_action_registry.get_log_entry_models()]


def _content_types(request):
    ids: set[int] = set()
    for queryset in _all_entries():
        ids.update(queryset.get_content_type_ids())
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class AuditLogFilterSet(SiteHistoryReportFilterSet):
    object_type = ContentTypeFilter(label="Type", method="filter_object_type", queryset=_content_types)

    def get_action_choices(self):
        actions: set[str] = set()
        for queryset in _all_entries():
            actions.update(queryset.get_actions())
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]

    def get_users_queryset(self):
        ids: set = set()
        for queryset in _all_entries():
            ids.update(queryset.get_user_ids())
        User = get_user_model()
        return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)


class AuditLogView(LogEntriesView):
    page_title = "Audit log"
    header_icon = "history"
    filterset_class = AuditLogFilterSet
    index_url_name = "guildhall_audit_log"
    index_results_url_name = "guildhall_audit_log_results"

    def dispatch(self, request, *args, **kwargs):
        if not can_read_audit_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filtered_queryset(self):
        """Wagtail's union of the log models, without its per-object visibility filter."""
        self.log_models = list(log_action_registry.get_log_entry_models())
        queryset = None
        for index, model in enumerate(self.log_models):
            sub = (
                model.objects.all()
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            sub = self.filter_queryset(sub).order_by()
            queryset = sub if queryset is None else queryset.union(sub, all=True)
        return queryset.order_by("-timestamp")


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return can_read_audit_log(request.user)


@hooks.register("register_admin_urls")
def register_audit_log_urls():
    return [
        path("audit-log/", AuditLogView.as_view(), name="guildhall_audit_log"),
        path("audit-log/results/", AuditLogView.as_view(results_only=True), name="guildhall_audit_log_results"),
    ]


@hooks.register("register_reports_menu_item")
def register_audit_log_menu_item():
    return AuditLogMenuItem(
        "Audit log", reverse("guildhall_audit_log"), name="audit-log", icon_name="history", order=990
    )
