"""Every page the CSP and accessibility checks visit: ONE list, which each issue extends.

Add a row for each page your issue ships (see DEVELOPERS.md, "Pages under the CSP and axe checks"):

    SitePage("/events/summit-2027/register/", "registration", who=MEMBER, needs=("events",)),

- `who`: VISITOR (anonymous), MEMBER (a verified person, logged in) or STAFF (a superuser with a
  second factor, for the Wagtail admin); the harness logs them in by session cookie.
- `axe`: False for pages we do not own the markup of (Wagtail's admin, Swagger UI): they still get
  the CSP check.
- `needs`: names of data loaders in `tests/e2e/conftest.py::DATA_LOADERS` to run first (the demo
  foundation, `portal.demo.load()`, is always loaded; add a loader there for data it lacks).
"""

from dataclasses import dataclass

VISITOR, MEMBER, STAFF = "visitor", "member", "staff"


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
    SitePage("/api/docs/", "api-docs", axe=False),
    SitePage("/admin/", "wagtail-dashboard", who=STAFF, axe=False),
    SitePage("/admin/pages/", "wagtail-pages", who=STAFF, axe=False),
    SitePage("/admin/reports/site-history/", "wagtail-site-history", who=STAFF, axe=False),
    SitePage("/admin/audit-log/", "audit-log", who=STAFF, axe=False),
    SitePage("/admin/snippets/adoption/surveyresponse/", "wagtail-survey-responses", who=STAFF, axe=False),
    SitePage("/django-admin/", "django-admin", who=STAFF, axe=False),
]
