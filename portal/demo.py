"""The demo foundation that `make run` shows (../shared/DEMO_CONTENT.md). Every step is idempotent."""

from allauth.account.models import EmailAddress
from wagtail.models import Locale, Page, Site

from portal.accounts.mfa import totp_activate, totp_secret_for
from portal.adoption import demo as adoption_demo
from portal.models import HomePage, User

DEMO_STAFF_EMAIL = "staff@openinfra.example"
DEMO_STAFF_PASSWORD = "openinfra-demo"  # noqa: S105 - a printed demo login, never used in production


def ensure_root() -> Page:
    """Wagtail's tree root, which its migrations create but a flushed database lacks."""
    if not Locale.objects.exists():
        Locale.objects.create(language_code="en")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


def ensure_home_page() -> HomePage:
    """The site's root is our HomePage; Wagtail's "Welcome" placeholder is replaced once."""
    home = HomePage.objects.first()
    if home is None:
        root = ensure_root()
        for welcome in root.get_children().specific():
            if type(welcome) is Page:  # Wagtail's "Welcome" placeholder, never content of ours
                welcome.delete()
        home = HomePage(
            title="Open Infrastructure Foundation",
            slug="home",
            seo_title="Open Infrastructure Foundation — open source infrastructure for everyone",
            intro="<p>Providing infrastructure using open source solutions.</p>",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Open Infrastructure Foundation",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Open Infrastructure Foundation"
        site.save()
    return home


def ensure_staff() -> tuple[str, str, bool]:
    """The demo superuser, with an authenticator key (staff need a second factor for the admin)."""
    user = User.objects.filter(email__iexact=DEMO_STAFF_EMAIL).first()
    created = user is None
    if created:
        user = User.objects.create_superuser(
            email=DEMO_STAFF_EMAIL, password=DEMO_STAFF_PASSWORD, first_name="Demo", last_name="Staff"
        )
    EmailAddress.objects.get_or_create(user=user, email=DEMO_STAFF_EMAIL, defaults={"verified": True, "primary": True})
    totp_activate(user)
    return DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, created


def staff_totp_secret() -> str | None:
    user = User.objects.filter(email__iexact=DEMO_STAFF_EMAIL).first()
    return totp_secret_for(user) if user else None


def load() -> tuple[str, str, bool]:
    home = ensure_home_page()
    adoption_demo.load(home)
    return ensure_staff()
