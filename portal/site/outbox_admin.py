"""Failures in the Wagtail admin, on one screen: tasks committed but not finished (waiting, failing or given
up), e-mails not sent, and outbound webhook deliveries that failed; each with its last error and a Retry
button. Superusers only: a row's arguments may carry personal data."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.api import selectors as api_selectors
from portal.api import services as api_services
from portal.api.models import WebhookDelivery
from portal.core import outbox

EMAIL_TASK = "portal.send_email"
LIMIT = 200


def _check(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


def _email(row) -> dict:
    """Who an unsent e-mail was for and what it was about, from the message stored in its row."""
    message = row.args[0] if row.args and isinstance(row.args[0], dict) else {}
    return {"row": row, "to": ", ".join(message.get("to") or []), "subject": message.get("subject", "")}


def outbox_index(request: HttpRequest) -> HttpResponse:
    _check(request)
    unfinished = outbox.messages_unfinished()
    tasks = unfinished.exclude(task_name=EMAIL_TASK)
    emails = unfinished.filter(task_name=EMAIL_TASK)
    deliveries = api_selectors.webhook_deliveries_failing()
    context = {
        "tasks": tasks[:LIMIT],
        "task_count": tasks.count(),
        "emails": [_email(row) for row in emails[:LIMIT]],
        "email_count": emails.count(),
        "deliveries": deliveries[:LIMIT],
        "delivery_count": deliveries.count(),
        "page_title": "Failures",
        "header_icon": "warning",
    }
    return TemplateResponse(request, "portal/admin/outbox.html", context)


@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    if outbox.outbox_retry(message_id=pk):
        messages.success(request, f"Task #{pk} handed to the worker again.")
    else:
        messages.error(request, f"Task #{pk} could not be handed over (finished already, or the broker is down).")
    return redirect("guildhall_outbox")


@require_POST
def webhook_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    api_services.webhook_delivery_replay(delivery=delivery, actor=request.user)
    messages.success(request, f"Webhook delivery #{pk} to {delivery.subscription} queued again.")
    return redirect("guildhall_outbox")


@hooks.register("register_admin_urls")
def _urls():
    return [
        path("outbox/", outbox_index, name="guildhall_outbox"),
        path("outbox/<int:pk>/retry/", outbox_retry, name="guildhall_outbox_retry"),
        path("outbox/webhooks/<int:pk>/retry/", webhook_retry, name="guildhall_webhook_retry"),
    ]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def _menu():
    return SuperuserMenuItem("Failures", reverse("guildhall_outbox"), icon_name="warning", order=900)
