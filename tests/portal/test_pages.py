"""Page types render their blocks and fields; staff can open every editor."""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from portal.models import CallToAction, StandardPage, User
from tests.conftest import login_staff
from tests.members.factories import MembershipTierFactory, member
from tests.portal.factories import directory, join_page, news, news_index, project, project_index

pytestmark = pytest.mark.django_db


def test_standard_page_renders_every_block(client, site_with_home):
    image = Image.objects.create(title="Rack", file=get_test_image_file(size=(1600, 900)))
    saved = CallToAction.objects.create(title="Come to the summit", button_label="Register", link_url="/events/")
    body = [
        {"type": "heading", "value": {"text": "The stack", "level": "h2"}},
        {"type": "paragraph", "value": "<p>Bottom to <b>top</b>.</p>"},
        {
            "type": "image",
            "value": {
                "image": {"image": image.pk, "decorative": False, "alt_text": "A rack of servers"},
                "caption": "Our lab",
            },
        },
        {"type": "quote", "value": {"text": "Open by default.", "attribution": "A member"}},
        {
            "type": "call_to_action",
            "value": {"title": "Join us", "text": "", "link": {"label": "Join", "page": None, "url": "/join/"}},
        },
        {"type": "saved_call_to_action", "value": saved.pk},
        {
            "type": "table",
            "value": {
                "data": [["Tier", "Fee"], ["Gold", "100,000"]],
                "first_row_is_table_header": True,
                "table_caption": "Fees",
            },
        },
    ]
    page = StandardPage(title="About", slug="about", intro="Who we are.", body=json.dumps(body))
    site_with_home.add_child(instance=page)
    page.save_revision().publish()

    soup = BeautifulSoup(client.get("/about/").content, "html.parser")
    main = soup.main

    assert main.h1.get_text() == "About"
    assert main.find("h2", string="The stack")
    assert main.find("b", string="top")
    img = main.find("figure").img
    assert img["alt"] == "A rack of servers" and "srcset" in img.attrs and img["srcset"].count("w,") >= 1
    assert main.find("figcaption").get_text(strip=True) == "Our lab"
    assert main.find("blockquote").get_text(strip=True) == "Open by default."
    assert main.find("a", string="Join")["href"] == "/join/"
    assert main.find("a", string="Register")["href"] == "/events/"
    assert main.select_one(".table-wrap table caption").get_text(strip=True) == "Fees"


def test_join_page_shows_tiers_side_by_side_with_fees_benefits_and_seats(client, site_with_home):
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", rank=1, seat_limit=2, board_seat=True)
    MembershipTierFactory(name="Associate", slug="associate", rank=4, annual_fee=0)
    member(platinum)
    member(platinum)
    join_page(site_with_home).save_revision().publish()

    soup = BeautifulSoup(client.get("/join/").content, "html.parser")
    cards = soup.select("main .cards > section")

    assert [card.h2.get_text() for card in cards] == ["Platinum", "Associate"]
    assert "2 seats" in cards[0].get_text() and "Waiting list" in cards[0].get_text()
    assert "Board seat" in cards[0].get_text()
    assert "Logo on the website" in cards[0].get_text()
    assert soup.find("a", string="Apply for membership")["href"] == "/join/apply/"


def test_directory_groups_by_tier_and_filters_with_a_get_form(client, site_with_home):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", rank=1)
    member(gold, name="Berlin Cloud", country="Germany", industry="cloud")
    member(platinum, name="Tokyo Telecom", country="Japan", industry="telecom")
    directory(site_with_home).save_revision().publish()

    soup = BeautifulSoup(client.get("/members/").content, "html.parser")
    assert [h.get_text(" ", strip=True) for h in soup.select("main section h2")] == [
        "Platinum members (1)",
        "Gold members (1)",
    ]
    form = soup.find("form", attrs={"aria-label": "Filter members"})
    assert form["method"] == "get" and not form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert [o["value"] for o in form.select("#filter-country option")] == ["", "Germany", "Japan"]

    filtered = BeautifulSoup(client.get("/members/", {"country": "Japan"}).content, "html.parser")
    assert "Tokyo Telecom" in filtered.main.get_text() and "Berlin Cloud" not in filtered.main.get_text()
    nobody = BeautifulSoup(client.get("/members/", {"industry": "retail"}).content, "html.parser")
    assert "No member matches these filters." in nobody.main.get_text()


def test_individuals_route_invites_the_first_member_while_nobody_is_listed(client, site_with_home):
    directory(site_with_home).save_revision().publish()
    soup = BeautifulSoup(client.get("/members/individuals/").content, "html.parser")
    assert soup.h1.get_text() == "Individual members"
    assert "No individual members yet" in soup.main.get_text()
    assert soup.main.find("a", string="Join as an individual member")["href"] == "/members/individuals/join/"


def test_news_index_lists_newest_first_and_filters_by_tag(client, site_with_home):
    index = news_index(site_with_home)
    index.save_revision().publish()
    older = news(index, 1, title="Older")
    older.tags.add("release")
    older.save_revision().publish()
    news(index, 2, title="Newer").save_revision().publish()

    soup = BeautifulSoup(client.get("/news/").content, "html.parser")
    assert [a.get_text() for a in soup.select("main .card__title a")] == ["Newer", "Older"]
    tagged = BeautifulSoup(client.get("/news/?tag=release").content, "html.parser")
    assert [a.get_text() for a in tagged.select("main .card__title a")] == ["Older"]


@pytest.mark.parametrize(
    "model, parent",
    [
        ("standardpage", "home"),
        ("projectindexpage", "home"),
        ("newsindexpage", "home"),
        ("projectpage", "projects"),
        ("newspage", "news"),
    ],
)
def test_staff_can_open_every_page_editor(client, site_with_home, model, parent):
    parent_page = {"home": lambda home: home, "projects": project_index, "news": news_index}[parent](site_with_home)
    login_staff(client, User.objects.create_superuser(email="editor@openinfra.example", password="x"))
    response = client.get(reverse("wagtailadmin_pages:add", args=["portal", model, parent_page.pk]))
    assert response.status_code == 200


def test_staff_can_open_existing_pages_and_member_admin(client, site_with_home):
    login_staff(client, User.objects.create_superuser(email="editor@openinfra.example", password="x"))
    pages = [
        project(project_index(site_with_home), 1),
        directory(site_with_home),
        join_page(site_with_home),
        site_with_home,
    ]
    for page in pages:
        assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
    for url_name in (
        "wagtailsnippets_members_membershiptier:list",
        "wagtailsnippets_members_organization:list",
        "wagtailsnippets_members_membership:list",
        "wagtailsnippets_portal_footerlink:list",
        "wagtailsnippets_portal_calltoaction:list",
        "wagtailsnippets_members_organization:add",
    ):
        assert client.get(reverse(url_name)).status_code == 200, url_name
