import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.core.management import call_command

from events.contract_terms import unknown_placeholders
from events.models import Event, Order, Sponsorship, SponsorshipContract, SponsorshipPackage, TicketBundle
from members.models import Organization
from portal.accounts.users import User
from portal.models import NewsPage, ProjectPage

# Every public URL of the demo site (Wagtail pages and the routes they own, search, feeds, SEO files).
PUBLIC_URLS = [
    "/",
    "/about/",
    "/projects/",
    "/projects/openstack/",
    "/projects/kata-containers/",
    "/projects/starlingx/",
    "/projects/zuul/",
    "/projects/airship/",
    "/members/",
    "/members/?tier=platinum",
    "/members/individuals/",
    "/join/",
    "/news/",
    "/news/feed/rss/",
    "/news/feed/atom/",
    "/search/",
    "/search/?q=kata",
    "/sitemap.xml",
    "/robots.txt",
]


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _load_demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_load_demo_is_idempotent_and_serves_every_public_url(client):
    _load_demo()
    first = _row_counts()
    _load_demo()
    assert _row_counts() == first

    # Every URL the sitemap lists (pages and member companies), and the rest of the public map.
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own sitemap
    listed = [urlsplit(loc.text).path for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(listed) >= 1 + 1 + 6 + 1 + 1 + 7 + 24  # home, about, projects, members, join, news, companies
    for url in PUBLIC_URLS + listed:
        response = client.get(url)
        assert response.status_code == 200, url
    for page in ProjectPage.objects.live():
        assert page.tagline in client.get(page.url).content.decode()
    for page in NewsPage.objects.live():
        assert page.title in client.get(page.url).content.decode()
    organization = Organization.objects.get(slug="kestrel-telecom")
    assert organization.description in client.get("/members/kestrel-telecom/").content.decode()

    home = client.get("/").content.decode()
    assert "Open Infrastructure Foundation" in home
    assert "Why open infrastructure" in home
    for project in ("OpenStack", "Kata Containers", "StarlingX", "Zuul", "Airship"):
        assert project in home


@pytest.mark.django_db(transaction=True)
def test_demo_content_matches_the_demo_foundations_facts(client):
    _load_demo()
    assert ProjectPage.objects.live().count() == 5
    assert 12 <= Organization.objects.count() <= 30

    join = BeautifulSoup(client.get("/join/").content, "html.parser")
    tier_names = [heading.get_text(strip=True) for heading in join.select("main h2.card__title")]
    assert tier_names[:4] == ["Platinum", "Gold", "Silver", "Associate"]
    assert "8 seats" in join.get_text() and "Board seat" in join.get_text()

    directory = BeautifulSoup(client.get("/members/").content, "html.parser")
    sections = [heading.get_text(" ", strip=True) for heading in directory.select("main section h2")]
    assert [section.split(" members")[0] for section in sections] == ["Platinum", "Gold", "Silver", "Associate"]
    logos = directory.select("main img")
    assert logos and all(img["src"].endswith(".svg") for img in logos)
    # The former member's membership has ended: it is not in the directory and has no page.
    assert "Greyfield Hosting" not in directory.get_text()
    assert client.get("/members/greyfield-hosting/").status_code == 404


@pytest.mark.django_db
def test_the_demo_staff_account_is_in_every_staff_group_so_alerts_reach_it():
    from portal.accounts.groups import STAFF_GROUPS
    from portal.accounts.users import User
    from portal.site.demo import DEMO_STAFF_EMAIL, ensure_staff

    ensure_staff()
    staff = User.objects.get(email=DEMO_STAFF_EMAIL)
    assert set(staff.groups.values_list("name", flat=True)) == {group.name for group in STAFF_GROUPS}


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_contracts_a_sponsorship_awaiting_signature_and_a_company_bundle(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    _load_demo()
    summit = Event.objects.get(slug__startswith="openinfra-summit-europe-")

    # Every package has contract terms whose placeholders the portal knows.
    packages = list(SponsorshipPackage.objects.all())
    assert packages and all("{sponsor_legal_name}" in p.contract_terms for p in packages)
    assert all(unknown_placeholders(p.contract_terms) == [] for p in packages)

    # Kestrel Telecom's Premier sponsorship waits for its admin's signature, the terms filled in.
    kestrel = Sponsorship.objects.select_related("contract").get(
        organization__slug="kestrel-telecom", package__event=summit
    )
    assert (kestrel.package.name, kestrel.status) == ("Premier", Sponsorship.Status.APPROVED)
    assert kestrel.contract.status == SponsorshipContract.Status.AWAITING_SPONSOR
    assert "Kestrel Telecom AG (the Sponsor) sponsors" in kestrel.contract.terms
    greta = User.objects.get(email="greta.vossberg@kestrel-telecom.example")
    client.force_login(greta)
    page = client.get("/events/sponsorships/kestrel-telecom/").content.decode()
    assert "Review and sign" in page

    # Aurora Stackworks' bundle: paid, five tickets, two named.
    bundle = TicketBundle.objects.select_related("order").get(organization__slug="aurora-stackworks")
    assert bundle.order.status == Order.Status.PAID
    tickets = list(bundle.order.tickets.all())
    assert len(tickets) == 5
    assert sorted(t.attendee_name for t in tickets if t.attendee_email) == ["Lena Quist", "Rafael Oduya"]
    marcel = User.objects.get(email="marcel@aurora-stackworks.example")
    client.force_login(marcel)
    assert "2 of 5 assigned" in client.get("/events/company-bundles/aurora-stackworks/").content.decode()

    # Loading again adds nothing.
    counts = _row_counts()
    _load_demo()
    assert _row_counts() == counts
