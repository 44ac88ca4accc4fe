"""The outbox in the Wagtail admin: tasks committed but not finished (waiting, failing or given up), each
with its last error and a Retry button. Superusers only: a row's arguments may carry personal data."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.core import outbox
from portal.core.models import OutboxMessage


def _check(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


def outbox_index(request: HttpRequest) -> HttpResponse:
    _check(request)
    unfinished = OutboxMessage.objects.filter(finished_at__isnull=True).order_by("-gave_up_at", "created_at")
    return TemplateResponse(
        request,
        "portal/admin/outbox.html",
        {"rows": unfinished[:500], "count": unfinished.count(), "page_title": "Outbox", "header_icon": "mail"},
    )


@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    if outbox.outbox_retry(message_id=pk):
        messages.success(request, f"Task #{pk} handed to the worker again.")
    else:
        messages.error(request, f"Task #{pk} could not be handed over (finished already, or the broker is down).")
    return redirect("guildhall_outbox")


@hooks.register("register_admin_urls")
def _urls():
    return [
        path("outbox/", outbox_index, name="guildhall_outbox"),
        path("outbox/<int:pk>/retry/", outbox_retry, name="guildhall_outbox_retry"),
    ]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def _menu():
    return SuperuserMenuItem("Outbox", reverse("guildhall_outbox"), icon_name="mail", order=900)
