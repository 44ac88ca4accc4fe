"""My account: the home page, the profile, deleting (anonymising) and exporting one's data."""

import json

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import views as mfa_views
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal.accounts import sections, services
from portal.accounts.exceptions import AccountError
from portal.accounts.forms import DeleteAccountForm, ProfileForm


def admin_login(request: HttpRequest) -> HttpResponse:
    """Both admins' log-in: allauth's page for visitors, a plain 403 for people already logged in.

    Without the 403 a logged-in person without admin access would bounce between the admin and
    allauth's log-in page (which sends logged-in people back to `next`).
    """
    if request.user.is_authenticated:
        raise PermissionDenied("You are logged in but this account has no access to the admin.")
    url = reverse("account_login")
    if request.META.get("QUERY_STRING"):
        url = f"{url}?{request.META['QUERY_STRING']}"
    return redirect(url)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "account/home.html",
        {"sections": sections.sections_for(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"first_name": user.first_name, "last_name": user.last_name},
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(
            user=request.user,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            actor=request.user,
        )
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:home")
    return render(request, "account/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_anonymise(user=request.user, actor=request.user)
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            logout(request)
            messages.success(request, "Your account is deleted. Thank you for having been with us.")
            return redirect("/")
    return render(request, "account/delete.html", {"form": form, "blockers": sections.deletion_blockers(request.user)})


@login_required
@require_http_methods(["GET"])
def export(request: HttpRequest) -> HttpResponse:
    data = {
        "exported_at": timezone.now().isoformat(),
        "format": "guildhall-account-export/1",
        **sections.export_for(request.user),
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"my-data-{timezone.now():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class ActivateTOTPView(mfa_views.ActivateTOTPView):
    """allauth's set-up page; typing a valid code also confirms this session for the admin."""

    def form_valid(self, form):
        response = super().form_valid(form)
        authenticator = Authenticator.objects.get(user_id=self.request.user.pk, type=Authenticator.Type.TOTP)
        record_authentication(
            self.request, self.request.user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True
        )
        return response


activate_totp = ActivateTOTPView.as_view()
