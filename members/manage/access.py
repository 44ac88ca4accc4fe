"""Who may open which member admin page: ONE table, read by the views, the services and the tests.

A person with no role in the organisation gets a 404 (the organisation is looked up through their roles);
a person of the organisation whose roles are not in the view's row gets a 403 that says whom to ask.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from members.manage.selectors import organization_admins, organization_for_user
from members.models import Organization, OrganizationRole

R = OrganizationRole.Role
EVERYONE = frozenset(R.values)
ADMINS = frozenset({R.ADMIN})
PROFILE_EDITORS = frozenset({R.ADMIN, R.MARKETING})
BILLING = frozenset({R.ADMIN, R.BILLING})

# URL name (members/manage/urls.py) -> the roles that may use the view.
ROLES_FOR_VIEW: dict[str, frozenset[str]] = {
    "overview": EVERYONE,
    "profile": PROFILE_EDITORS,
    "people": ADMINS,
    "role_remove": ADMINS,
    "invitation_create": ADMINS,
    "invitation_revoke": ADMINS,
    "invoices": BILLING,
    "invoice_pdf": BILLING,
    "invoice_pay": BILLING,
    "billing_details": BILLING,
    "tier_change": ADMINS,
}


def may(roles: Iterable[str], view_name: str) -> bool:
    return bool(set(roles) & ROLES_FOR_VIEW[view_name])


def forbidden(request: HttpRequest, organization: Organization, view_name: str) -> HttpResponse:
    """The helpful 403: the person's roles, the roles the page needs, and the admins to ask."""

    labels = dict(R.choices)
    context = {
        "organization": organization,
        "my_roles": sorted(labels[role] for role in organization.user_roles),
        "needed_roles": [labels[role] for role in R.values if role in ROLES_FOR_VIEW[view_name]],
        "admins": [role.user for role in organization_admins(organization)],
    }
    return render(request, "members/manage/forbidden.html", context, status=403)


def manage_view(name: str, *, methods: tuple[str, ...] = ("GET",)) -> Callable:
    """Log-in required; the organisation through the person's roles (404); the table's roles (403); methods (405).

    The view is called as view(request, organization, **kwargs), `organization.user_roles` holding the roles.
    """
    if name not in ROLES_FOR_VIEW:
        raise KeyError(f"{name} is not in ROLES_FOR_VIEW")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:

            organization = organization_for_user(request.user, slug)
            if not may(organization.user_roles, name):
                return forbidden(request, organization, name)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, organization, **kwargs)

        wrapper.manage_view_name = name  # type: ignore[attr-defined]
        wrapper.manage_view_methods = methods  # type: ignore[attr-defined]
        return never_cache(login_required(wrapper))

    return decorator
