"""The demo foundation that `make run` shows. Every step is idempotent.

Rows and pages are created when missing and never rewritten, so a second run changes nothing;
the facts live in portal/site/demo_content.py.
"""

import datetime
import hashlib
import json
import uuid
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

from elections import demo as elections_demo
from events import demo as events_demo
from events.models import Event
from members import demo as members_demo
from members.models import Membership, MembershipTier, Organization
from portal.accounts.groups import STAFF_GROUPS
from portal.accounts.mfa import totp_activate, totp_secret_for
from portal.adoption import demo as adoption_demo
from portal.models import (
    EventIndexPage,
    EventPage,
    FooterLink,
    HomePage,
    JoinPage,
    MemberDirectoryPage,
    NewsIndexPage,
    NewsPage,
    ProjectIndexPage,
    ProjectPage,
    SiteSettings,
    StandardPage,
    User,
)
from portal.site import demo_content as content

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
        # Full URLs (sitemap, feeds) use the site's host: take it from SITE_URL, the public address.
        address = urlsplit(settings.SITE_URL)
        Site.objects.create(
            hostname=address.hostname or "localhost",
            port=address.port or (443 if address.scheme == "https" else 80),
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
    # In every staff group, so the alerts each group receives (applications, orders...) reach the demo's inbox.
    user.groups.add(*Group.objects.filter(name__in=[group.name for group in STAFF_GROUPS]))
    totp_activate(user)
    return DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, created


# --- Members ------------------------------------------------------------------------------


def placeholder_logo_svg(name: str) -> str:
    """A generated logo: a coloured mark with the organisation's initials beside its name."""
    digest = hashlib.sha256(name.encode()).digest()
    hue = digest[0] * 360 // 256
    shape = digest[1] % 3
    words = [word for word in name.replace("-", " ").split() if word[:1].isalpha()]
    initials = "".join(word[0] for word in words[:2]).upper() or name[:1].upper()
    colour = f"hsl({hue}, 60%, 28%)"  # dark enough for white initials at AA contrast, whatever the hue
    if shape == 0:
        mark = f'<circle cx="40" cy="40" r="32" fill="{colour}"/>'
    elif shape == 1:
        mark = f'<rect x="8" y="8" width="64" height="64" rx="14" fill="{colour}"/>'
    else:
        mark = f'<polygon points="40,6 74,40 40,74 6,40" fill="{colour}"/>'
    lines = _wrap(name, width=18)
    if len(lines) == 1:
        text = f'<text x="88" y="48" font-size="20" {_TEXT_STYLE}>{escape(lines[0])}</text>'
    else:
        text = (
            f'<text x="88" y="36" font-size="17" {_TEXT_STYLE}>{escape(lines[0])}</text>'
            f'<text x="88" y="58" font-size="17" {_TEXT_STYLE}>{escape(lines[1])}</text>'
        )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 80" width="320" height="80" role="img" '
        f'aria-label="{escape(name)}"><title>{escape(name)}</title>{mark}'
        '<text x="40" y="47" text-anchor="middle" font-family="system-ui, sans-serif" font-size="22" '
        f'font-weight="700" fill="#fff">{escape(initials)}</text>{text}</svg>'
    )


_TEXT_STYLE = 'font-family="system-ui, sans-serif" font-weight="600" fill="#1f2933"'


def _wrap(name: str, *, width: int) -> list[str]:
    """At most two lines of about `width` characters; the second is cut with an ellipsis if need be."""
    if len(name) <= width:
        return [name]
    first = ""
    words = name.split()
    while words and len(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one very long word
        first, words = name[:width], [name[width:]]
    rest = " ".join(words)
    if len(rest) > width + 4:
        rest = rest[: width + 3] + "…"
    return [first, rest]


def ensure_tiers() -> dict[str, MembershipTier]:
    tiers = {}
    for spec in content.TIERS:
        tier = MembershipTier.objects.filter(slug=spec["slug"]).first()
        if tier is None:
            tier = MembershipTier.objects.create(
                slug=spec["slug"],
                name=spec["name"],
                rank=spec["rank"],
                annual_fee=spec["annual_fee"],
                currency="USD",
                description=spec["description"],
                benefits="\n".join(spec["benefits"]),
                seat_limit=spec["seat_limit"],
                board_seat=spec["board_seat"],
            )
        tiers[tier.slug] = tier
    return tiers


def _ensure_organization(spec, tiers, *, former: bool = False) -> Organization:
    name, tier_slug, country, industry, description, since = spec
    slug = slugify(name)
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        organization = Organization(
            name=name,
            slug=slug,
            website=f"https://{slug}.example/",
            description=description,
            country=country,
            industry=industry,
        )
        organization.logo.save(f"{slug}.svg", ContentFile(placeholder_logo_svg(name).encode()), save=False)
        organization.save()
    if not organization.memberships.exists():
        Membership.objects.create(
            organization=organization,
            tier=tiers[tier_slug],
            starts=datetime.date(since, 1, 1),
            ends=datetime.date(2022, 12, 31) if former else None,
            status=Membership.Status.LAPSED if former else Membership.Status.ACTIVE,
        )
    return organization


def ensure_members() -> dict[str, Organization]:
    tiers = ensure_tiers()
    organizations = {}
    for spec in content.ORGANIZATIONS:
        organization = _ensure_organization(spec, tiers)
        organizations[organization.slug] = organization
    _ensure_organization(content.FORMER_MEMBER, tiers, former=True)
    return organizations


# --- Pages --------------------------------------------------------------------------------


def _block(block_type: str, value) -> dict:
    return {"type": block_type, "value": value, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{block_type}:{value}"))}


def _features(spec: dict) -> dict:
    return _block(
        "features",
        {
            "heading": spec["heading"],
            "intro": spec["intro"],
            "features": [{"title": title, "text": text} for title, text in spec["features"]],
        },
    )


def _paragraph(html: str) -> dict:
    return _block("paragraph", html)


def _child(parent: Page, slug: str):
    return parent.get_children().filter(slug=slug).specific().first()


def _publish_new(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _ensure_child(parent: Page, page: Page):
    """The child of `parent` with `page`'s slug: `page` itself, published, the first time."""
    existing = _child(parent, page.slug)
    return existing if existing is not None else _publish_new(parent, page)


# The demo content's keys that are the pages' fields as they are.
PROJECT_FIELDS = (
    "title",
    "slug",
    "tagline",
    "description",
    "governance",
    "status",
    "founded_year",
    "website",
    "repository",
    "documentation",
    "latest_release_name",
    "latest_release_date",
    "search_description",
)
NEWS_FIELDS = ("title", "slug", "date", "author", "intro")


def ensure_about_page(home: HomePage) -> StandardPage:
    page = _child(home, "about")
    if page is not None:
        return page
    stack = "".join(f"<li><b>{escape(layer)}</b> — {escape(text)}</li>" for layer, text in content.STACK)
    opens = "".join(f"<li><b>{escape(name)}</b>: {escape(text)}</li>" for name, text in content.FOUR_OPENS)
    body = [
        _block("heading", {"text": "Our purpose", "level": "h2"}),
        _paragraph(content.HOME["purpose"]),
        _features(content.WHY_OPEN_INFRASTRUCTURE),
        _features(content.WHY_ORGANISATIONS_CHOOSE),
        _block("heading", {"text": "The stack we serve, bottom to top", "level": "h2"}),
        _paragraph(f"<ol>{stack}</ol><p>Ecosystem projects such as Kubernetes and Ceph work beside ours.</p>"),
        _block("heading", {"text": "Governance: the 4 Opens", "level": "h2"}),
        _paragraph(f"<ul>{opens}</ul>"),
        _features(content.AIMS),
        _block(
            "quote",
            {
                "text": "Open infrastructure is infrastructure you can understand, change and run yourself.",
                "attribution": "The OpenInfra community",
            },
        ),
        _block(
            "call_to_action",
            {
                "title": "Build open infrastructure with us",
                "text": "Companies, universities and public bodies join the foundation to support the projects they rely on.",
                "link": {"label": "See the membership tiers", "page": None, "url": "/join/"},
            },
        ),
    ]
    return _publish_new(
        home,
        StandardPage(
            title="About the foundation",
            slug="about",
            intro="The Open Infrastructure Foundation builds communities that write open source infrastructure software.",
            body=json.dumps(body),
            search_description="Why open infrastructure, the stack the foundation serves and the 4 Opens.",
        ),
    )


def ensure_projects(home: HomePage, organizations: dict[str, Organization]) -> list[ProjectPage]:
    index = _ensure_child(home, ProjectIndexPage(**content.SECTION_PAGES["projects"]))
    created = []
    for spec in content.PROJECTS:
        if _child(index, spec["slug"]) is not None:
            continue
        project = ProjectPage(**{name: spec[name] for name in PROJECT_FIELDS})
        project.tags.add(*spec["tags"])
        project.contributing_organizations = [
            organizations[slug] for slug in content.CONTRIBUTORS.get(spec["slug"], []) if slug in organizations
        ]
        index.add_child(instance=project)
        created.append((project, spec))
    by_slug = {page.slug: page for page in ProjectPage.objects.child_of(index)}
    for project, spec in created:
        project.related_projects = [by_slug[slug] for slug in spec["related"] if slug in by_slug]
        project.save_revision().publish()
    return [by_slug[spec["slug"]] for spec in content.PROJECTS if spec["slug"] in by_slug]


def ensure_directory(home: HomePage) -> MemberDirectoryPage:
    return _ensure_child(home, MemberDirectoryPage(**content.SECTION_PAGES["members"]))


def ensure_join_page(home: HomePage) -> JoinPage:
    return _ensure_child(home, JoinPage(**content.SECTION_PAGES["join"]))


def ensure_news(home: HomePage) -> NewsIndexPage:
    index = _ensure_child(home, NewsIndexPage(**content.SECTION_PAGES["news"]))
    for spec in content.NEWS:
        if _child(index, spec["slug"]) is not None:
            continue
        item = NewsPage(
            **{name: spec[name] for name in NEWS_FIELDS},
            body=json.dumps([_paragraph(f"<p>{escape(spec['body'])}</p>")]),
            search_description=spec["intro"],
        )
        item.tags.add(*spec["tags"])
        _publish_new(index, item)
    return index


def populate_home(home: HomePage, projects: list[ProjectPage]) -> None:
    """Fill the home page once; after that it belongs to the editors."""
    if home.purpose:
        return
    home.intro = content.HOME["intro"]
    home.purpose = content.HOME["purpose"]
    home.search_description = content.HOME["search_description"]
    home.body = json.dumps([_features(content.WHY_OPEN_INFRASTRUCTURE), _features(content.WHY_ORGANISATIONS_CHOOSE)])
    home.featured_projects = projects
    home.save_revision().publish()


def ensure_site_settings(site: Site) -> None:
    site_settings = SiteSettings.for_site(site)
    if not site_settings.contact_email:
        for field, value in content.SITE_SETTINGS.items():
            setattr(site_settings, field, value)
        site_settings.save()


def ensure_footer_links() -> None:
    if FooterLink.objects.exists():
        return
    FooterLink.objects.bulk_create(
        FooterLink(label=label, url=url, sort_order=position * 10)
        for position, (label, url) in enumerate(content.FOOTER_LINKS)
    )


def staff_totp_secret() -> str | None:
    user = User.objects.filter(email__iexact=DEMO_STAFF_EMAIL).first()
    return totp_secret_for(user) if user else None


def ensure_event_pages(home: HomePage, events: list[Event]) -> None:
    """The events index and a page for each demo summit, tied to its event by slug."""
    index = EventIndexPage.objects.first()
    if index is None:
        index = _publish_new(
            home,
            EventIndexPage(
                title="Events",
                slug="events",
                intro="<p>The OpenInfra Summit brings together the people who build and run open infrastructure.</p>",
            ),
        )
    for event in events:
        if EventPage.objects.filter(slug=event.slug).exists():
            continue
        _publish_new(
            index,
            EventPage(
                title=event.name,
                slug=event.slug,
                intro=f"<p>{event.summary}</p>",
                body="<p>Keynotes from operators running OpenStack at scale, the Forum where users and "
                "developers plan the next releases, hands-on workshops, and the project teams gathering.</p>",
            ),
        )


def load() -> tuple[str, str, bool]:
    home = ensure_home_page()
    organizations = ensure_members()
    ensure_about_page(home)
    projects = ensure_projects(home, organizations)
    members_demo.load()  # after the projects: individual members say which they work on
    elections_demo.load()  # after the individual members: they stand and vote
    ensure_directory(home)
    ensure_join_page(home)
    ensure_news(home)
    home = HomePage.objects.get(pk=home.pk)
    populate_home(home, projects)
    ensure_site_settings(Site.objects.get(is_default_site=True))
    ensure_footer_links()
    adoption_demo.load(home)
    ensure_event_pages(home, events_demo.load())
    return ensure_staff()
