"""The anonymous full-page cache: no cookies, Cache-Control, zero-query hits, purges on publish and member changes."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from portal.models import User
from tests.conftest import login_staff
from tests.members.factories import MembershipTierFactory, member
from tests.portal.factories import directory

pytestmark = pytest.mark.django_db


def test_anonymous_page_sets_no_cookie_and_the_second_request_is_served_without_queries(
    client, kata, django_assert_num_queries, monkeypatch
):
    first = client.get("/projects/kata-containers/")
    assert first.status_code == 200
    assert first.cookies == {}
    assert "public" in first["Cache-Control"]
    assert first["X-Page-Cache"] == "miss"

    from django.core.cache import cache as default_cache

    reads = []  # calls to the cache: on Redis, each one round trip
    get = default_cache.get
    monkeypatch.setattr(default_cache, "get", lambda key, *a, **kw: reads.append(("get", key)) or get(key, *a, **kw))
    monkeypatch.setattr(
        default_cache,
        "get_many",
        lambda keys, *a, **kw: (
            reads.append(("get_many", len(keys))) or {k: v for k in keys if (v := get(k)) is not None}
        ),
    )
    with django_assert_num_queries(0):
        second = client.get("/projects/kata-containers/")
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert reads == [("get_many", 2)], f"a hit reads the generation and the page together, nothing else: {reads}"
    assert second.content == first.content
    assert second.cookies == {}
    # The hit never reached the session middleware.
    assert not hasattr(second.wsgi_request, "session")


def test_query_strings_and_hosts_are_cached_apart(client, site_with_home):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    silver = MembershipTierFactory(name="Silver", slug="silver", rank=3)
    member(gold, name="Golden Co")
    member(silver, name="Silver Co")
    directory(site_with_home).save_revision().publish()

    everyone = client.get("/members/").content.decode()
    only_gold = client.get("/members/?tier=gold").content.decode()
    assert "Silver Co" in everyone
    assert "Silver Co" not in only_gold and "Golden Co" in only_gold
    assert client.get("/members/?tier=gold")["X-Page-Cache"] == "hit"
    assert client.get("/members/?tier=gold", HTTP_HOST="other.example")["X-Page-Cache"] == "miss"


def test_staff_publishing_in_the_admin_is_seen_by_the_next_anonymous_request(kata):
    anonymous = Client()
    assert "Lightweight VMs." in anonymous.get("/projects/kata-containers/").content.decode()
    assert anonymous.get("/projects/kata-containers/")["X-Page-Cache"] == "hit"

    staff = User.objects.create_superuser(email="editor@openinfra.example", password="x")
    editor = Client()
    login_staff(editor, staff)
    post_data = nested_form_data(
        {
            "title": "Kata Containers",
            "slug": "kata-containers",
            "tagline": "Containers with the isolation of virtual machines.",
            "description": rich_text("<p>Kata Containers builds lightweight virtual machines.</p>"),
            "body": streamfield([]),
            "status": "confirmed",
            "founded_year": "2017",
            "website": "",
            "repository": "https://github.com/kata-containers/kata-containers",
            "documentation": "",
            "latest_release_name": "3.20.0",
            "latest_release_date": "2025-08-20",
            "governance": rich_text(""),
            "tags": "containers",
            "seo_title": "",
            "search_description": "",
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    response = editor.post(reverse("wagtailadmin_pages:edit", args=[kata.pk]), post_data)
    assert response.status_code == 302, response.content.decode()[:2000]
    kata.refresh_from_db()
    assert kata.tagline == "Containers with the isolation of virtual machines."

    after = anonymous.get("/projects/kata-containers/")
    assert after["X-Page-Cache"] == "miss"
    assert "Containers with the isolation of virtual machines." in after.content.decode()


def test_unpublishing_a_page_purges_it(client, kata):
    assert client.get("/projects/kata-containers/").status_code == 200
    kata.unpublish()
    assert client.get("/projects/kata-containers/").status_code == 404


def test_member_changes_purge_the_directory(client, site_with_home):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    member(gold, name="First Co")
    directory(site_with_home).save_revision().publish()
    assert "Second Co" not in client.get("/members/").content.decode()

    member(gold, name="Second Co")

    assert "Second Co" in client.get("/members/").content.decode()


def test_logged_in_visitors_neither_read_nor_fill_the_anonymous_cache(client, kata):
    staff = User.objects.create_user(email="someone@example.org", password="x")
    visitor = Client()
    login_staff(visitor, staff)
    response = visitor.get("/projects/kata-containers/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"  # their own cache (tests/portal/test_signed_in_cache.py)
    assert "private" in response["Cache-Control"]
    # Nothing was stored for anonymous visitors by the logged-in request.
    anonymous = client.get("/projects/kata-containers/")
    assert anonymous["X-Page-Cache"] == "miss" and "Log in" in anonymous.content.decode()


def test_django_views_and_errors_are_not_cached(client, site_with_home):
    assert client.get("/no-such-page/").status_code == 404
    assert "X-Page-Cache" not in client.get("/no-such-page/")
    assert "X-Page-Cache" not in client.get("/search/?q=x")


class _DeadCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache is down")

        return fail


def test_a_page_cache_outage_serves_pages_uncached_and_publishing_still_works(client, kata, monkeypatch):
    from portal.core import cache

    monkeypatch.setattr(cache, "_cache", lambda: _DeadCache())
    response = client.get("/projects/kata-containers/")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    kata.save_revision().publish()  # the purge fails loudly in the log, not in the editor's face


def test_a_password_protected_page_is_never_cached(client, kata):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=kata, restriction_type=PageViewRestriction.PASSWORD, password="s3cret")
    client.cookies["csrftoken"] = "a" * 32  # a visitor who already holds a CSRF cookie gets no new one
    for _ in range(2):
        response = client.get("/projects/kata-containers/")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert "Lightweight VMs." not in response.content.decode()


def test_head_requests_are_answered_from_the_cache(client, kata, django_assert_num_queries):
    client.get("/projects/kata-containers/")
    with django_assert_num_queries(0):
        response = client.head("/projects/kata-containers/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"


# --- The API's public lists go through the same cache ---------------------------------------
JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_projects_api_is_answered_from_the_cache_and_purged_on_publish(client, kata, django_assert_num_queries):
    first = client.get("/api/v1/projects/", **JSON)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    assert first.cookies == {}

    with django_assert_num_queries(0):
        second = client.get("/api/v1/projects/", **JSON)
    assert second["X-Page-Cache"] == "hit"
    assert second.json() == first.json()
    assert not hasattr(second.wsgi_request, "session")

    kata.tagline = "Containers with the isolation of virtual machines."
    kata.save_revision().publish()

    third = client.get("/api/v1/projects/", **JSON)
    assert third["X-Page-Cache"] == "miss"
    assert third.json()["results"][0]["tagline"] == "Containers with the isolation of virtual machines."


def test_member_changes_purge_the_members_api(client, site_with_home):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    member(gold, name="First Co")
    names = lambda: [m["name"] for m in client.get("/api/v1/members/", **JSON).json()["results"]]  # noqa: E731
    assert names() == ["First Co"]
    assert client.get("/api/v1/members/", **JSON)["X-Page-Cache"] == "hit"

    member(gold, name="Second Co")

    assert sorted(names()) == ["First Co", "Second Co"]


def test_api_answers_are_kept_apart_by_query_and_format_and_html_is_never_stored(client, site_with_home):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    silver = MembershipTierFactory(name="Silver", slug="silver", rank=3)
    member(gold, name="Golden Co")
    member(silver, name="Silver Co")

    assert len(client.get("/api/v1/members/", **JSON).json()["results"]) == 2
    only_gold = client.get("/api/v1/members/?tier=gold", **JSON)
    assert [m["name"] for m in only_gold.json()["results"]] == ["Golden Co"]
    assert client.get("/api/v1/members/?tier=gold", **JSON)["X-Page-Cache"] == "hit"
    for _ in range(2):  # the browsable API (HTML) is rendered each time, never stored
        html = client.get("/api/v1/members/", HTTP_ACCEPT="text/html")
        assert html["Content-Type"].startswith("text/html")
        assert "X-Page-Cache" not in html or html["X-Page-Cache"] == "miss"


def test_logged_in_api_callers_neither_read_nor_fill_the_api_cache(client, kata):
    user = User.objects.create_user(email="someone@example.org", password="x")
    visitor = Client()
    visitor.force_login(user)
    assert "X-Page-Cache" not in visitor.get("/api/v1/projects/", **JSON)
    assert client.get("/api/v1/projects/", **JSON)["X-Page-Cache"] == "miss"


def test_home_sections_are_one_cached_fragment_purged_with_the_pages(
    client, site_with_home, django_assert_max_num_queries
):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    member(gold, name="First Co")
    assert "First Co" in client.get("/?utm_source=a").content.decode()  # a query string: a full-page miss

    # Another URL the page cache cannot answer: only Wagtail's routing is read, not the sections.
    with django_assert_max_num_queries(5):
        again = client.get("/?utm_source=b")
    assert again["X-Page-Cache"] == "miss"
    assert "First Co" in again.content.decode()

    member(gold, name="Second Co")

    assert "Second Co" in client.get("/?utm_source=c").content.decode()


def test_site_settings_are_read_from_the_cache_and_a_save_is_seen_at_once(client, kata, django_assert_max_num_queries):
    from django.test import RequestFactory
    from wagtail.models import Site

    from portal.site.snippets import SiteSettings

    client.get("/projects/kata-containers/?v=1")
    with django_assert_max_num_queries(0):  # no Site lookup, no settings row: both from the cache
        assert SiteSettings.for_request(RequestFactory().get("/projects/")).pk is not None

    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.foundation_name = "The Renamed Foundation"
    site_settings.save()

    assert "The Renamed Foundation" in client.get("/projects/kata-containers/?v=2").content.decode()
    assert "The Renamed Foundation" in client.get("/projects/kata-containers/").content.decode()


def test_each_process_keeps_the_site_wide_data_until_any_process_purges(client, kata, monkeypatch):
    """A page reads only the generation from the shared cache once a process holds the Site, its settings
    and the footer's links; a change saved by another process (a new generation) is seen at once."""
    from django.core.cache import cache

    from portal.core import cache as page_cache
    from portal.site.snippets import FooterLink

    link = FooterLink.objects.create(label="Privacy", url="https://example.org/privacy/")
    client.get("/projects/kata-containers/?v=1")  # a miss: the process reads and keeps the site data
    reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: reads.append(key) or real_get(key, *args, **kwargs))
    page = client.get("/projects/kata-containers/?v=2").content.decode()
    assert "Privacy" in page
    assert [key for key in reads if "sitedata" in key] == [], "no shared-cache round trip for site data"

    # Another process renames the link: no signal here, only its writes to the database and the cache.
    FooterLink.objects.filter(pk=link.pk).update(label="Your privacy")
    cache.delete("sitedata:footer-links")
    cache.incr(page_cache.GENERATION_KEY)
    assert "Your privacy" in client.get("/projects/kata-containers/?v=3").content.decode()


def test_an_emptied_cache_starts_a_generation_never_used_before(settings):
    from django.core.cache import cache

    from portal.core import cache as page_cache

    first = page_cache.generation()
    page_cache.purge()
    cache.clear()  # Redis flushed, say
    assert page_cache.generation() not in (first, first + 1)


def test_the_footer_is_drawn_once_per_generation_and_a_change_shows_at_once(client, kata):
    """Every page's footer is the same: drawn once, until anything in it is saved (a new generation)."""
    from django.test.signals import template_rendered

    from portal.site.snippets import FooterLink

    drawn = []

    def count(sender, template, **kwargs):
        if template.name == "includes/footer.html":
            drawn.append(template.name)

    template_rendered.connect(count)
    try:
        for n in range(3):
            assert "<footer" in client.get(f"/projects/kata-containers/?v={n}").content.decode()
        assert len(drawn) == 1
        FooterLink.objects.create(label="Code of conduct", url="https://example.org/coc/")  # purges
        assert "Code of conduct" in client.get("/projects/kata-containers/?v=4").content.decode()
        assert len(drawn) == 2
    finally:
        template_rendered.disconnect(count)


def _cache_reads(monkeypatch) -> list:
    """The cache's reads from now on: "get" for each GET, the number of keys for each MGET."""
    from django.core.cache import cache as default_cache

    reads: list = []
    get = default_cache.get
    monkeypatch.setattr(default_cache, "get", lambda key, *a, **kw: reads.append("get") or get(key, *a, **kw))
    monkeypatch.setattr(
        default_cache,
        "get_many",
        lambda keys, *a, **kw: reads.append(len(keys)) or {k: v for k in keys if (v := get(k)) is not None},
    )
    return reads


def test_a_signed_in_page_rendered_afresh_asks_the_cache_twice(client, kata, monkeypatch):
    """Their kind of header, then the generation and the page together; the Site, its root paths (every page
    link), the settings and the footer come from this process's copies under that generation."""
    client.force_login(User.objects.create_user(email="ada@example.org", password="x" * 12))
    assert client.get("/projects/kata-containers/?warm").status_code == 200
    reads = _cache_reads(monkeypatch)
    page = client.get("/projects/kata-containers/?fresh")
    assert page.status_code == 200 and page["X-Page-Cache"] == "miss"
    assert "Kata Containers" in page.content.decode()
    assert reads == ["get", 2], reads


def test_a_signed_in_page_the_cache_does_not_keep_asks_it_once(client, kata, monkeypatch):
    """My account (never kept: it is the person's own) needs the generation (its fragments, the settings) and
    the person's kind of header (the Admin link): both in one round trip."""
    staff = User.objects.create_user(email="grace@example.org", password="x" * 12, is_superuser=True)
    client.force_login(staff)
    assert client.get("/accounts/").status_code == 200
    reads = _cache_reads(monkeypatch)
    page = client.get("/accounts/")
    assert page.status_code == 200 and 'href="/admin/"' in page.content.decode()
    assert reads == [2], reads
    # The kind read with the generation is the person's, and it is still forgotten when their access changes.
    staff.is_superuser = False
    staff.save()
    reads.clear()
    page = client.get("/accounts/")
    assert 'href="/admin/"' not in page.content.decode()
    assert reads == [2], reads


def test_a_signed_in_person_s_order_page_asks_the_cache_once_and_a_page_kept_for_them_is_still_kept(
    client, kata, monkeypatch
):
    """Only views once kept for a signed-in person are looked up: an order page is the person's own, and a
    lookup cost it a round trip. A kept page's view, first seen, is stored and looked up from then on."""
    from portal.core import cache as page_cache
    from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

    monkeypatch.setattr(page_cache, "_KEPT_VIEWS", set())  # as if no app had declared Wagtail's pages
    event = EventFactory(slug="summit")
    order = paid_order(event, TicketTypeFactory(event=event, price=0), n=1)
    client.force_login(User.objects.create_user(email="ada@example.org", password="x" * 12))
    assert client.get(order.get_absolute_url()).status_code == 200
    reads = _cache_reads(monkeypatch)
    page = client.get(order.get_absolute_url())
    assert page.status_code == 200 and order.code in page.content.decode() and "X-Page-Cache" not in page
    assert reads == [2], reads  # the generation and the person's kind, together

    first = client.get("/projects/kata-containers/")
    assert first["X-Page-Cache"] == "miss" and "Kata Containers" in first.content.decode()
    again = client.get("/projects/kata-containers/")
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert page_cache._KEPT_VIEWS == {"wagtail_serve"}  # learnt when stored


def test_the_views_kept_for_signed_in_people_are_declared_from_the_start():
    from portal.core import cache as page_cache

    assert {"wagtail_serve", "events:register"} <= page_cache._KEPT_VIEWS
