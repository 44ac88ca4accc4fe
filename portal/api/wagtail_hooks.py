"""Staff screens: API tokens (create, scope, revoke; the secret is shown once) and outbound webhooks.

Both sit under Settings. Each is guarded by one permission of its own (`api.manage_apitoken`,
`api.manage_webhooks`) that no staff group holds by default: superusers grant it in Groups.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.template.response import TemplateResponse
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.api import services
from portal.api.models import ApiToken, Scope, WebhookDelivery, WebhookEvent, WebhookSubscription
from portal.core.admin_views import ConfirmActionView, object_button


class SinglePermissionPolicy(ModelPermissionPolicy):
    """Every action on the model needs one permission; nothing may be deleted (rows are the record)."""

    def __init__(self, model, codename: str) -> None:
        super().__init__(model)
        self.codename = codename

    def _get_permission_codename(self, action):
        return self.codename

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return user.has_perm(f"api.{self.codename}")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class DeliveryPermissionPolicy(SinglePermissionPolicy):
    """Deliveries are written by the system: staff view and replay them, never add or edit them."""

    def user_has_permission(self, user, action):
        if action not in {"view", "replay"}:
            return False
        return user.has_perm(f"api.{self.codename}")


TOKEN_POLICY = SinglePermissionPolicy(ApiToken, "manage_apitoken")
WEBHOOK_POLICY = SinglePermissionPolicy(WebhookSubscription, "manage_webhooks")
DELIVERY_POLICY = DeliveryPermissionPolicy(WebhookDelivery, "manage_webhooks")
register_permission_policy(ApiToken, TOKEN_POLICY)
register_permission_policy(WebhookSubscription, WEBHOOK_POLICY)
register_permission_policy(WebhookDelivery, DELIVERY_POLICY)


# --- Tokens ---------------------------------------------------------------------------------


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="read: higher rate limits on public data; checkin: check tickets in; staff: orders and attendees.",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scopes"]


class TokenCreateView(generic.CreateView):
    def save_instance(self):
        token, self.secret = services.api_token_create(
            name=self.form.cleaned_data["name"], scopes=self.form.cleaned_data["scopes"], actor=self.request.user
        )
        return token

    def save_action(self):
        # The secret exists only in this response: it is not stored, so it cannot be shown again.
        response = TemplateResponse(
            self.request,
            "api/admin/token_created.html",
            {
                "token": self.object,
                "secret": self.secret,
                "index_url": reverse("api_tokens:index"),
                "page_title": "API token created",
                "header_icon": "key",
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class TokenEditView(generic.EditView):
    def save_instance(self):
        return services.api_token_update(
            token=self.object,
            name=self.form.cleaned_data["name"],
            scopes=self.form.cleaned_data["scopes"],
            actor=self.request.user,
        )


class TokenIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.is_active:
            buttons.append(object_button("Revoke", "api_tokens:revoke", instance, icon_name="bin"))
        return buttons


class PolicyConfirmView(ConfirmActionView):
    """A confirmation page allowed by one action of a permission policy."""

    policy: ModelPermissionPolicy
    permission: str

    def permitted(self, user) -> bool:
        return self.policy.user_has_permission(user, self.permission)


class RevokeTokenView(PolicyConfirmView):
    header_icon = "key"
    page_title = "Revoke API token"
    policy, permission, queryset = TOKEN_POLICY, "change", ApiToken.objects.all()
    verb, index_url_name, danger = "Revoke", "api_tokens:index", True

    def explanation(self) -> str:
        return "Requests with this token are refused from now on. This cannot be undone."

    def act(self, request) -> str:
        services.api_token_revoke(token=self.object, actor=request.user)
        return f"{self.object.name}: token revoked."


class ApiTokenViewSet(ModelViewSet):
    model = ApiToken
    name = "api_tokens"
    url_prefix = "api-tokens"
    icon = "key"
    menu_label = "API tokens"
    add_to_settings_menu = True
    copy_view_enabled = False
    add_view_class = TokenCreateView
    edit_view_class = TokenEditView
    index_view_class = TokenIndexView
    list_display = [
        "name",
        Column("prefix", label="Starts with", accessor="prefix"),
        Column("scopes", label="Scopes", accessor="scopes_display"),
        Column("created_by", label="Created by"),
        DateColumn("created_at", label="Created"),
        DateColumn("last_used_at", label="Last used"),
        DateColumn("revoked_at", label="Revoked"),
    ]
    ordering = ["-created_at"]

    def get_form_class(self, for_update=False):
        return ApiTokenForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("revoke/<str:pk>/", RevokeTokenView.as_view(), name="revoke")]


# --- Webhooks -------------------------------------------------------------------------------


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label="Target URL", max_length=500, assume_scheme="https", help_text="http or https.")
    event_types = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)
    secret = forms.CharField(
        required=False,
        max_length=100,
        help_text="Shared with the receiver to verify Guildhall-Signature. Empty: a new one is generated "
        "(when creating) or the current one is kept (when editing).",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "event_types", "secret", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["secret"] = ""  # never echo the secret into the page

    def clean(self):
        cleaned = super().clean()
        self.instance.secret = cleaned.get("secret") or self.instance.secret  # keep model validation happy
        return cleaned


def _webhook_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "url": data["url"],
        "event_types": data["event_types"],
        "secret": data.get("secret", ""),
        "is_active": data.get("is_active", True),
    }


class WebhookCreateView(generic.CreateView):
    def save_instance(self):
        return services.webhook_subscription_create(actor=self.request.user, **_webhook_fields(self.form))


class WebhookEditView(generic.EditView):
    def save_instance(self):
        return services.webhook_subscription_update(
            subscription=self.object, actor=self.request.user, **_webhook_fields(self.form)
        )


class WebhookViewSet(ModelViewSet):
    model = WebhookSubscription
    name = "webhooks"
    url_prefix = "webhooks"
    icon = "link-external"
    menu_label = "Webhooks"
    add_to_settings_menu = True
    copy_view_enabled = False
    add_view_class = WebhookCreateView
    edit_view_class = WebhookEditView
    list_display = [
        "name",
        "url",
        Column("event_types", label="Events", accessor="event_types_display"),
        Column("is_active", label="Active"),
        DateColumn("created_at", label="Created"),
    ]

    def get_form_class(self, for_update=False):
        return WebhookForm


class DeliveryIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(object_button("Replay", "webhook_deliveries:replay", instance, icon_name="resubmit"))
        return buttons


class ReplayDeliveryView(PolicyConfirmView):
    header_icon = "resubmit"
    page_title = "Replay webhook delivery"
    policy, permission = DELIVERY_POLICY, "replay"
    queryset = WebhookDelivery.objects.select_related("subscription")
    verb, index_url_name = "Replay", "webhook_deliveries:index"

    def explanation(self) -> str:
        return f"The same payload is POSTed again to {self.object.subscription.url}, with a fresh signature."

    def act(self, request) -> str:
        services.webhook_delivery_replay(delivery=self.object, actor=request.user)
        return f"{self.object}: queued again."


class DeliveryInspectView(generic.InspectView):
    template_name = "api/admin/delivery_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_log.all()
        context["replay_url"] = reverse("webhook_deliveries:replay", args=[quote(self.object.pk)])
        return context


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    name = "webhook_deliveries"
    url_prefix = "webhooks/deliveries"
    icon = "history"
    menu_label = "Webhook deliveries"
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    form_fields: list[str] = []
    list_display = [
        "__str__",
        Column("status", label="Status", accessor="get_status_display"),
        Column("attempts", label="Attempts"),
        DateColumn("created_at", label="Created"),
        DateColumn("delivered_at", label="Delivered"),
    ]
    list_filter = ["status", "event_type", "subscription"]
    inspect_view_fields = ["subscription", "event_type", "status", "attempts", "created_at", "delivered_at", "payload"]

    def get_queryset(self, request):
        return WebhookDelivery.objects.select_related("subscription")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("replay/<str:pk>/", ReplayDeliveryView.as_view(), name="replay")]


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [ApiTokenViewSet(), WebhookViewSet(), WebhookDeliveryViewSet()]
