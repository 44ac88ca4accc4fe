"""Acceptance 2 and 3: one log-in for both admins, and what each staff group reaches.

The table below is the contract between the groups and the admin screens; later issues add their
screens as columns and flip the cells of the groups that should reach them.
"""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page

from portal.accounts.groups import (
    CONTENT_EDITORS,
    ELECTION_STAFF,
    EVENTS_STAFF,
    FINANCE,
    MEMBERSHIP_STAFF,
    STAFF_GROUPS,
)
from portal.accounts.mfa import totp_activate, totp_code
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED, DENIED = "allowed", "denied"

SCREENS = {
    "dashboard": "/admin/",
    "pages": "/admin/pages/",
    "images": "/admin/images/",
    "documents": "/admin/documents/",
    "redirects": "/admin/redirects/",
    "users": "/admin/users/",
    "groups": "/admin/groups/",
    "django_admin": "/django-admin/",
    "finance_payments": "/admin/finance/payments/",
    "finance_invoices": "/admin/finance/invoices/",
    "tax_rules": "/admin/snippets/portal/taxrule/",
    "tax_rates": "/admin/snippets/portal/taxrate/",
    "survey_responses": "/admin/snippets/adoption/surveyresponse/",
    "survey_editions": "/admin/snippets/adoption/surveyedition/",
    "membership_applications_queue": "/admin/members/applications/",
    "membership_tiers": "/admin/snippets/members/membershiptier/",
    "organizations": "/admin/snippets/members/organization/",
    "memberships": "/admin/snippets/members/membership/",
    "membership_applications": "/admin/snippets/members/membershipapplication/",
    "dues": "/admin/snippets/members/duesperiod/",
    "organization_roles": "/admin/snippets/members/organizationrole/",
    "tier_waitlist": "/admin/snippets/members/tierwaitlistentry/",
    "members_csv": "/admin/members/export.csv",
    "individual_members": "/admin/snippets/members/individualmember/",
    "tier_change_requests": "/admin/members/tier-changes/",
    "events": "/admin/events/event/",
    "events_promo_codes": "/admin/events/promocode/",
    "events_orders": "/admin/events/order/",
    "events_approvals": "/admin/events/approvals/",
    "events_sponsor_representatives": "/admin/events/sponsor-representatives/",
    "audit_log": "/admin/audit-log/",
    "elections": "/admin/elections/",
    "election_results": "/admin/elections-results/",
    # API tokens and webhooks (portal/api): superusers, or whoever is given api.manage_apitoken /
    # api.manage_webhooks; no group by default.
    "api_tokens": "/admin/api-tokens/",
    "webhooks": "/admin/webhooks/",
    "webhook_deliveries": "/admin/webhooks/deliveries/",
}
MEMBERSHIP_SCREENS = {
    "membership_applications_queue",
    "membership_tiers",
    "organizations",
    "memberships",
    "membership_applications",
    "dues",
    "organization_roles",
    "tier_waitlist",
    "members_csv",
    "individual_members",
    "tier_change_requests",
}

ACCESS = {
    CONTENT_EDITORS: {"dashboard", "pages", "images", "documents", "redirects", "survey_responses", "survey_editions"},
    MEMBERSHIP_STAFF: {"dashboard", "audit_log", *MEMBERSHIP_SCREENS},
    EVENTS_STAFF: {
        "dashboard",
        "audit_log",
        "events",
        "events_promo_codes",
        "events_orders",
        "events_approvals",
        "events_sponsor_representatives",
    },
    FINANCE: {"dashboard", "audit_log", "finance_payments", "finance_invoices", "tax_rules", "tax_rates"},
    ELECTION_STAFF: {"dashboard", "audit_log", "elections", "election_results"},
}

CASES = [
    pytest.param(group, screen, ALLOWED if screen in reachable else DENIED, id=f"{group}-{screen}")
    for group, reachable in ACCESS.items()
    for screen in SCREENS
]


def _outcome(client, url) -> str:
    """Allowed is a 200 on the screen itself; denied is a 403, or Wagtail's bounce to its dashboard."""
    response = client.get(url, follow=True)
    if response.status_code == 403:
        return DENIED
    final = response.redirect_chain[-1][0] if response.redirect_chain else url
    if response.status_code == 200 and final == url:
        return ALLOWED
    if response.status_code == 200 and final == "/admin/" and url != "/admin/":
        assert b"you do not have permission" in response.content.lower()
        return DENIED
    raise AssertionError(f"{url}: unexpected {response.status_code} at {final}")


def test_the_table_covers_every_staff_group():
    assert set(ACCESS) == {group.name for group in STAFF_GROUPS}


def test_the_migration_created_the_groups_with_their_permissions():
    content_editors = Group.objects.get(name=CONTENT_EDITORS)
    assert content_editors.permissions.filter(codename="access_admin").exists()
    root = Page.get_first_root_node()
    assert set(
        GroupPagePermission.objects.filter(group=content_editors, page=root).values_list(
            "permission__codename", flat=True
        )
    ) >= {"add_page", "change_page", "publish_page"}
    assert GroupCollectionPermission.objects.filter(group=content_editors, permission__codename="add_image").exists()
    for name in (MEMBERSHIP_STAFF, EVENTS_STAFF, FINANCE):
        assert Group.objects.get(name=name).permissions.filter(codename="access_admin").exists()


@pytest.mark.parametrize(("group", "screen", "expected"), CASES)
def test_each_staff_group_reaches_its_screens_and_no_others(
    staff_client_factory, staff_groups, group, screen, expected
):
    client = staff_client_factory(groups=[group])
    if "/summit/" in SCREENS[screen]:
        from tests.events.factories import EventFactory

        EventFactory(slug="summit")
    assert _outcome(client, SCREENS[screen]) == expected


def test_people_outside_the_groups_get_a_403_not_a_redirect_loop(client):
    person = UserFactory()
    client.force_login(person)
    for url in ("/admin/", "/django-admin/"):
        response = client.get(url, follow=True)
        assert response.status_code == 403
        assert len(response.redirect_chain) <= 2
        assert person.email.encode() in response.content  # the 403 page says who is logged in
        assert b"Log in with another account" in response.content


def test_superusers_reach_the_django_admin(staff_client_factory):
    client = staff_client_factory(superuser=True)
    assert _outcome(client, "/django-admin/") == ALLOWED


@pytest.mark.parametrize("url", ["/admin/", "/admin/pages/", "/admin/login/?next=/admin/pages/", "/django-admin/"])
def test_anonymous_admin_visits_end_on_allauths_log_in_page(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    final = response.redirect_chain[-1][0]
    assert final.startswith("/accounts/login/?next=")
    assert response.templates[0].name == "account/login.html"


def test_staff_log_in_through_allauth_lands_on_the_wagtail_dashboard(client, staff_groups, site_with_home):
    editor = UserFactory(groups=[CONTENT_EDITORS])
    secret = totp_activate(editor)  # staff need a second factor (tests/accounts/test_two_factor.py)
    login_page = client.get("/admin/", follow=True)
    next_url = login_page.redirect_chain[-1][0].split("next=", 1)[1]
    assert next_url in ("/admin/", "%2Fadmin%2F")
    response = client.post("/accounts/login/", {"login": editor.email, "password": PASSWORD, "next": "/admin/"})
    assert (response.status_code, response.url) == (302, "/accounts/2fa/authenticate/")
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response.url == "/admin/"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert b"Dashboard" in dashboard.content
