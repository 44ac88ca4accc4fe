"""Two-factor authentication for staff: no admin without an authenticator app.

allauth.mfa does the work (TOTP, recovery codes, the log-in step that asks for a code). What we
add: staff who have not set up an authenticator are sent to set one up before any admin page,
and staff whose session was not confirmed with a code are asked for one.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SETUP_MESSAGE = (
    "The admin and staff pages need two-factor authentication. Set up an authenticator app below to "
    "continue: from now on you will enter one of its codes after your password."
)
CONFIRM_MESSAGE = "Enter a code from your authenticator app to open staff pages."
# Paths under the admin prefixes that must stay open: the log-in gate and logging out.
EXEMPT_SUFFIXES = ("login/", "logout/")


def is_staff(user) -> bool:
    """Staff are people who can open an admin: superusers, is_staff, or a staff group's access."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin")


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def session_used_second_factor(request: HttpRequest) -> bool:
    """allauth records each way the person proved who they are in this session; one must be MFA."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def is_admin_path(request: HttpRequest) -> bool:
    path = request.path_info
    prefixes = tuple(getattr(settings, "MFA_REQUIRED_FOR_STAFF_PATHS", ()))
    if not prefixes or not path.startswith(prefixes):
        return False
    if any(path == prefix + suffix for prefix in prefixes for suffix in EXEMPT_SUFFIXES):
        return False
    return True


def second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """For staff: a redirect to set up (or confirm) the second factor when it is missing, else None."""
    if not is_staff(request.user):
        return None
    if not has_second_factor(request.user):
        messages.warning(request, SETUP_MESSAGE)
        request.session["guildhall_admin_next"] = request.get_full_path()
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
    if not session_used_second_factor(request):
        messages.info(request, CONFIRM_MESSAGE)
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None


class StaffTwoFactorMiddleware:
    """Before an admin page: staff without an authenticator set one up; others confirm a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_admin_path(request):
            redirect = second_factor_redirect(request)
            if redirect is not None:
                return redirect
        return self.get_response(request)


def staff_second_factor_required(view):
    """For staff-only pages outside the admins (check-in, ...): the same rule as the admin.

    Put it under the view's own permission check; people who are not staff pass through.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        return second_factor_redirect(request) or view(request, *args, **kwargs)

    return wrapper


def admin_next_url(request: HttpRequest) -> str | None:
    """Where a staff member was going when sent to set up two-factor authentication."""
    return request.session.get("guildhall_admin_next")


def totp_secret_for(user) -> str | None:
    """The person's authenticator key (base32), or None without one; for the demo's printed login."""
    authenticator = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def totp_activate(user, secret: str | None = None) -> str:
    """Give a person an authenticator (and recovery codes) without the web flow; returns the key."""
    existing = totp_secret_for(user)
    if existing:
        return existing
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for this key now (or at a given Unix time)."""
    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD))
