"""Admin screens shared by the apps' wagtail_hooks."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import ListingButton

from portal.core.exceptions import ApplicationError


def object_button(label: str, url_name: str, instance, *, icon_name: str) -> ListingButton:
    """A listing's button to the page of one action on `instance` (a URL that takes its pk), e.g. a confirmation."""
    return ListingButton(label, url=reverse(url_name, args=[quote(instance.pk)]), icon_name=icon_name, priority=5)


class ConfirmActionView(WagtailAdminTemplateMixin, TemplateView):
    """A confirmation page for one action on one object: GET asks, POST runs `act` and goes back to the list.

    Subclasses say who may do it, the objects, the verb, what it does and the list to go back to."""

    template_name = "portal/admin/confirm.html"
    queryset: Any
    verb: str
    index_url_name: str
    danger = False

    def permitted(self, user) -> bool:
        raise NotImplementedError

    def get_queryset(self):
        return self.queryset

    def dispatch(self, request, pk, *args, **kwargs):
        if not self.permitted(request.user):
            raise PermissionDenied
        self.object = get_object_or_404(self.get_queryset(), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def explanation(self) -> str:
        return ""

    def act(self, request) -> str:
        """Do it; returns the success message (an ApplicationError's message is shown instead)."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "object": self.object,
            "verb": self.verb,
            "explanation": self.explanation(),
            "action_url": self.request.path,
            "cancel_url": reverse(self.index_url_name),
            "danger": self.danger,
        }

    def post(self, request, *args, **kwargs):
        try:
            messages.success(request, self.act(request))
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect(reverse(self.index_url_name))


class ReasonForm(forms.Form):
    """Why staff say no; `missing` is what they are told when they give no reason."""

    reason = forms.CharField(max_length=2000)

    def __init__(self, *args, missing: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = missing


def refuse_with_reason(request, refuse: Callable[[str], object], *, missing: str, done: str) -> None:
    """Staff say no with the POSTed `reason` (the service e-mails it); without a valid one nothing is done and
    they are told why."""
    form = ReasonForm(request.POST, missing=missing)
    if not form.is_valid():
        messages.error(request, str(form.errors["reason"][0]))
        return
    refuse(form.cleaned_data["reason"])
    messages.success(request, done)
