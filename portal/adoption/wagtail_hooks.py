"""Staff screens: survey editions (with "Recompute figures") and responses (approve / reject)."""

from django import forms
from django.db.models import Case, Value, When
from django.urls import path
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from portal.adoption import selectors, services
from portal.adoption.models import Project, ResponseStatus, SurveyEdition, SurveyResponse
from portal.adoption.tasks import recompute_aggregates
from portal.core.admin_views import ConfirmActionView, object_button
from portal.core.exceptions import ApplicationError
from portal.core.tasking import enqueue_on_commit

RESPONSES_NS = "wagtailsnippets_adoption_surveyresponse"
EDITIONS_NS = "wagtailsnippets_adoption_surveyedition"

MODERATION = {
    "approve": (ResponseStatus.APPROVED, "Approve", services.response_approve),
    "reject": (ResponseStatus.REJECTED, "Reject", services.response_reject),
}


class ModerateResponseView(ConfirmActionView):
    """GET asks for confirmation, POST approves or rejects one response through the service."""

    template_name = "adoption/admin/confirm.html"
    header_icon = "tasks"
    index_url_name = f"{RESPONSES_NS}:list"
    action = "approve"

    def permitted(self, user) -> bool:
        return user.has_perm("adoption.change_surveyresponse")

    def get_queryset(self):
        return selectors.responses_for_moderation()

    @property
    def verb(self) -> str:
        return MODERATION[self.action][1]

    @property
    def danger(self) -> bool:
        return self.action == "reject"

    def get_page_title(self):
        return f"{self.verb} survey response"

    def act(self, request) -> str:
        status, _verb, service = MODERATION[self.action]
        service(response=self.object, actor=request.user)
        return f"{self.object}: {ResponseStatus(status).label.lower()}."


class RecomputeView(ConfirmActionView):
    """Compute one closed edition's figures now, e.g. after late moderation (refused while it is open)."""

    template_name = "adoption/admin/confirm.html"
    header_icon = "resubmit"
    page_title = "Recompute figures"
    queryset = SurveyEdition.objects.all()
    verb = "Recompute"
    index_url_name = f"{EDITIONS_NS}:list"

    def permitted(self, user) -> bool:
        return user.has_perm("adoption.change_surveyedition")

    def explanation(self) -> str:
        return (
            "The figures of this edition (and the growth of the next one) are computed again from its approved "
            "responses. Readers can compare the figures before and after, so moderate late answers in one batch "
            "and recompute once."
        )

    def act(self, request) -> str:
        if self.object.closes > timezone.now():
            raise ApplicationError(f"The {self.object.year} survey has not closed yet; its figures follow its close.")
        enqueue_on_commit(recompute_aggregates, self.object.pk, actor_id=request.user.pk)
        return f"The figures of the {self.object.year} survey are being recomputed."


class ResponseIndexView(IndexView):
    def order_queryset(self, queryset):
        if "ordering" in self.request.GET:
            return super().order_queryset(queryset)
        # By default the answers waiting for a decision come first, newest first.
        pending_first = Case(When(status=ResponseStatus.PENDING, then=Value(0)), default=Value(1))
        return queryset.order_by(pending_first, "-submitted_at", "-pk")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        allowed = SurveyResponse.TRANSITIONS.get(instance.status, set())
        for action, (status, label, _service) in MODERATION.items():
            if status in allowed:
                icon = "success" if action == "approve" else "cross"
                buttons.append(object_button(label, f"{RESPONSES_NS}:{action}", instance, icon_name=icon))
        return buttons


class ResponseAdminForm(WagtailAdminModelForm):
    # The JSON list of project slugs, edited as checkboxes rather than as raw JSON.
    projects = forms.MultipleChoiceField(choices=Project.choices, widget=forms.CheckboxSelectMultiple, required=False)


class SurveyResponseViewSet(SnippetViewSet):
    model = SurveyResponse
    icon = "form"
    menu_label = "Survey responses"
    index_view_class = ResponseIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "__str__",
        Column("industry", label="Industry", accessor="get_industry_display"),
        "country",
        Column("deployment_type", label="Deployment", accessor="get_deployment_type_display"),
        Column("cores", label="Cores", accessor="cores_display"),
        Column("status", label="Status", accessor="get_status_display"),
        DateColumn("submitted_at", label="Submitted"),
    ]
    list_filter = ["edition", "status", "industry", "deployment_type"]
    search_fields = ["organization_name", "public_cloud_name"]
    # Status moves only through approve / reject, so moderation is audited; figures follow the close.
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("edition"), FieldPanel("organization_name"), FieldPanel("is_anonymous")],
                heading="Respondent",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("industry"),
                    FieldPanel("country"),
                    FieldPanel("deployment_type"),
                    FieldPanel("projects"),
                    FieldPanel("cores"),
                    FieldPanel("deployments"),
                ],
                heading="Answers",
            ),
            MultiFieldPanel(
                [FieldPanel("public_cloud_name"), FieldPanel("public_cloud_region"), FieldPanel("public_cloud_listed")],
                heading="Public cloud",
            ),
        ],
        base_form_class=ResponseAdminForm,
    )

    def get_queryset(self, request):
        return selectors.responses_for_moderation()

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(f"{action}/<str:pk>/", ModerateResponseView.as_view(action=action), name=action)
            for action in MODERATION
        ]


class EditionIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(object_button("Recompute figures", f"{EDITIONS_NS}:recompute", instance, icon_name="resubmit"))
        return buttons


class SurveyEditionViewSet(SnippetViewSet):
    model = SurveyEdition
    icon = "date"
    menu_label = "Survey editions"
    index_view_class = EditionIndexView
    copy_view_enabled = False
    list_display = [
        "__str__",
        DateColumn("opens", label="Opens"),
        DateColumn("closes", label="Closes"),
        Column("sample_size", label="Published responses", accessor="published_sample_size"),
        Column("figures", label="Figures", accessor="figures_status"),
    ]
    ordering = ["-year"]
    panels = [FieldPanel("year"), FieldPanel("opens"), FieldPanel("closes")]

    def get_queryset(self, request):
        return SurveyEdition.objects.select_related("aggregate")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("recompute/<str:pk>/", RecomputeView.as_view(), name="recompute")]


class AdoptionGroup(SnippetViewSetGroup):
    menu_label = "Adoption"
    menu_icon = "doc-full-inverse"
    menu_order = 300
    items = (SurveyResponseViewSet, SurveyEditionViewSet)


register_snippet(AdoptionGroup)


class ModerateBulkAction(SnippetBulkAction):
    """Approve or reject the selected answers in one go (answers already there are skipped)."""

    models = [SurveyResponse]
    template_name = "adoption/admin/confirm_bulk_moderation.html"
    status = ResponseStatus.APPROVED

    def check_perm(self, obj):
        return self.request.user.has_perm("adoption.change_surveyresponse")

    def get_execution_context(self):
        return {**super().get_execution_context(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "verb": self.display_name}

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return services.responses_moderate(responses=objects, status=cls.status, actor=user), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        label = ResponseStatus(self.status).label.lower()
        return f"{num_parent_objects} survey response{'s' if num_parent_objects != 1 else ''} {label}."


@hooks.register("register_bulk_action")
class ApproveBulkAction(ModerateBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve selected survey responses"
    action_priority = 10
    status = ResponseStatus.APPROVED


@hooks.register("register_bulk_action")
class RejectBulkAction(ModerateBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject selected survey responses"
    action_priority = 20
    status = ResponseStatus.REJECTED
