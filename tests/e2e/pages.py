"""Every page the CSP and accessibility checks visit: ONE list, which each issue extends.

Add a row for each page your issue ships (see DEVELOPERS.md, "Pages under the CSP and axe checks"):

    SitePage("/events/summit-2027/register/", "registration", who=MEMBER, needs=("events",)),

- `who`: VISITOR (anonymous), MEMBER (a verified person, logged in) or STAFF (a superuser with a
  second factor, for the Wagtail admin); the harness logs them in by session cookie.
- `axe`: False for pages we do not own the markup of (Wagtail's admin, Swagger UI): they still get
  the CSP check.
- `needs`: names of data loaders in `tests/e2e/conftest.py::DATA_LOADERS` to run first (the demo
  foundation, `portal.site.demo.load()`, is always loaded; add a loader there for data it lacks).
"""

import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

VISITOR, MEMBER, STAFF = "visitor", "member", "staff"


def _open_summit_slug() -> str:
    """The demo's open summit (events/demo.py): its slug carries the year of a day 120 days from now."""
    today = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Europe/Paris"))
    return f"openinfra-summit-europe-{(today + timedelta(days=120)).year}"


SUMMIT = _open_summit_slug()
# The order and payment the "registration-order" loader (tests/e2e/conftest.py) makes.
E2E_ORDER_CODE, E2E_ORDER_SECRET, E2E_PAYMENT_ID = (
    "E2EORDER",
    "e2e-order-secret-for-the-page-checks",
    "e2epaymentpagecheck",
)
# The MEMBER person (loaders give them an application, dues or an organisation to sponsor with), and the
# payments of the "membership-dues" and "sponsorship-invoiced" loaders.
MEMBER_EMAIL = "mia.member@example.org"
E2E_DUES_PAYMENT_ID, E2E_SPONSORSHIP_PAYMENT_ID = "e2eduespagecheck", "e2esponsorshippagecheck"
# The invitation link the "member-admin" loader makes.
E2E_INVITATION_TOKEN = "e2e-invitation-token-for-the-page-checks"
MANAGE = "/members/manage/northwind-cloud"


@dataclass(frozen=True)
class SitePage:
    path: str
    name: str
    who: str = VISITOR
    axe: bool = True
    needs: tuple[str, ...] = ()

    def __str__(self) -> str:  # the test id
        return self.name


PAGES: list[SitePage] = [
    SitePage("/", "home"),
    SitePage("/adoption/", "adoption"),
    SitePage("/projects/", "projects"),
    SitePage("/projects/openstack/", "project"),
    SitePage("/members/", "directory"),
    SitePage("/members/northwind-cloud/", "company"),
    SitePage("/join/", "join"),
    SitePage("/members/individuals/", "individuals"),
    SitePage("/members/individuals/amara-okonkwo/", "individual-profile"),
    SitePage("/members/individuals/join/", "individual-join", who=MEMBER),
    SitePage("/members/individuals/edit/", "individual-edit", who=MEMBER, needs=("individual-member",)),
    SitePage("/members/individuals/leave/", "individual-leave", who=MEMBER, needs=("individual-member",)),
    SitePage("/join/apply/", "join-apply", who=MEMBER),
    SitePage("/accounts/", "join-applied", who=MEMBER, needs=("membership-application",)),
    SitePage("/join/waitlist/platinum/", "join-waitlist"),
    SitePage(f"/payments/{E2E_DUES_PAYMENT_ID}/", "dues-pay", who=MEMBER, needs=("membership-dues",)),
    SitePage("/news/", "news"),
    SitePage("/events/", "events"),
    SitePage(f"/events/{SUMMIT}/", "event"),
    SitePage(f"/events/{SUMMIT}/register/", "registration"),
    SitePage(f"/events/{SUMMIT}/order/{E2E_ORDER_CODE}/{E2E_ORDER_SECRET}/", "order", needs=("registration-order",)),
    SitePage(
        f"/events/{SUMMIT}/order/{E2E_ORDER_CODE}/{E2E_ORDER_SECRET}/cancel/",
        "order-cancel",
        needs=("registration-order",),
    ),
    SitePage(f"/payments/{E2E_PAYMENT_ID}/", "pay", needs=("registration-order",)),
    SitePage(f"/events/{SUMMIT}/checkin/?q=a", "checkin", who=STAFF),
    SitePage(f"/events/{SUMMIT}/waiting-list/", "waiting-list"),
    SitePage(f"/events/{SUMMIT}/bundle/", "bundle-buy", who=MEMBER, needs=("ticket-bundle",)),
    SitePage("/events/company-bundles/orchard-automation/", "bundles", who=MEMBER, needs=("ticket-bundle",)),
    SitePage(f"/events/{SUMMIT}/sponsor/", "sponsor"),
    SitePage(f"/events/{SUMMIT}/sponsor/", "sponsor-member", who=MEMBER, needs=("sponsor",)),
    SitePage(f"/events/{SUMMIT}/sponsor/apply/", "sponsor-apply", who=MEMBER, needs=("sponsor",)),
    SitePage(f"/payments/{E2E_SPONSORSHIP_PAYMENT_ID}/", "sponsorship-pay", needs=("sponsorship-invoiced",)),
    SitePage(
        "/events/sponsorships/orchard-automation/", "sponsor-account", who=MEMBER, needs=("sponsorship-invoiced",)
    ),
    SitePage(
        f"/payments/{E2E_SPONSORSHIP_PAYMENT_ID}/invoice/", "sponsorship-invoice", needs=("sponsorship-invoiced",)
    ),
    SitePage("/elections/", "elections"),
    SitePage("/elections/individual-directors-2026/", "election-results"),
    SitePage("/elections/individual-directors-2027/", "election-open"),
    SitePage("/elections/individual-directors-2027/candidates/amara-okonkwo/", "election-candidate"),
    SitePage("/elections/individual-directors-2027/vote/", "ballot", who=MEMBER, needs=("individual-member",)),
    SitePage("/elections/individual-directors-2027/nominate/", "nominate", who=MEMBER, needs=("individual-member",)),
    SitePage("/accounts/login/", "login"),
    SitePage("/accounts/signup/", "signup"),
    SitePage("/accounts/password/reset/", "password-reset"),
    SitePage("/adoption/survey/", "survey", who=MEMBER),
    SitePage("/accounts/", "my-account", who=MEMBER),
    SitePage("/accounts/profile/", "my-profile", who=MEMBER),
    SitePage("/accounts/2fa/", "two-factor", who=MEMBER),
    SitePage("/accounts/2fa/totp/activate/", "two-factor-set-up", who=MEMBER),
    SitePage("/accounts/reauthenticate/", "confirm-password", who=MEMBER),
    SitePage("/accounts/2fa/recovery-codes/", "recovery-codes", who=STAFF),
    SitePage("/members/manage/", "manage-organisations", who=MEMBER, needs=("member-admin",)),
    SitePage(f"{MANAGE}/", "manage-overview", who=MEMBER, needs=("member-admin",)),
    SitePage(f"{MANAGE}/profile/", "manage-profile", who=MEMBER, needs=("member-admin",)),
    SitePage(f"{MANAGE}/people/", "manage-people", who=MEMBER, needs=("member-admin",)),
    SitePage(f"{MANAGE}/invoices/", "manage-invoices", who=MEMBER, needs=("member-admin",)),
    SitePage(f"{MANAGE}/tier/", "manage-tier", who=MEMBER, needs=("member-admin",)),
    SitePage(f"/members/invitations/{E2E_INVITATION_TOKEN}/", "invitation", needs=("member-admin",)),
    SitePage("/api/docs/", "api-docs", axe=False),
    SitePage("/admin/", "wagtail-dashboard", who=STAFF, axe=False),
    SitePage("/admin/pages/", "wagtail-pages", who=STAFF, axe=False),
    SitePage("/admin/reports/site-history/", "wagtail-site-history", who=STAFF, axe=False),
    SitePage("/admin/audit-log/", "audit-log", who=STAFF, axe=False),
    SitePage("/admin/members/tier-changes/", "wagtail-tier-changes", who=STAFF, axe=False, needs=("member-admin",)),
    SitePage("/admin/snippets/adoption/surveyresponse/", "wagtail-survey-responses", who=STAFF, axe=False),
    SitePage("/django-admin/", "django-admin", who=STAFF, axe=False),
    SitePage("/admin/members/applications/", "admin-applications", who=STAFF, axe=False),
    SitePage("/admin/events/sponsorships/", "admin-sponsorships", who=STAFF, axe=False),
    SitePage("/admin/events/sponsor-representatives/", "admin-sponsor-representatives", who=STAFF, axe=False),
    SitePage("/admin/finance/payments/", "admin-finance-payments", who=STAFF, axe=False),
]
