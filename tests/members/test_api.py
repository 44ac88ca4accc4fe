import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, member

pytestmark = pytest.mark.django_db


def test_tiers_in_rank_order_with_benefits_and_seats(client):
    silver = MembershipTierFactory(name="Silver", slug="silver", rank=3)
    MembershipTierFactory(name="Platinum", slug="platinum", rank=1, seat_limit=8, board_seat=True)
    member(silver)

    tiers = client.get("/api/v1/tiers/").json()

    assert [t["slug"] for t in tiers] == ["platinum", "silver"]
    assert tiers[0]["seat_limit"] == 8 and tiers[0]["seats_left"] == 8 and tiers[0]["board_seat"] is True
    assert tiers[1]["members_count"] == 1 and tiers[1]["seats_left"] is None
    assert tiers[1]["benefits"] == ["Logo on the website", "Two summit passes"]
    assert tiers[1]["annual_fee"] == "1000.00"


def test_members_ordered_by_tier_rank_then_name_with_absolute_logo_urls(client):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", rank=1)
    member(gold, name="Aardvark", slug="aardvark")
    member(platinum, name="Zebra", slug="zebra")
    member(platinum, name="Moose", slug="moose")
    former = OrganizationFactory(slug="former")
    MembershipFactory(organization=former, tier=platinum, status="lapsed")

    results = client.get("/api/v1/members/").json()["results"]

    assert [m["slug"] for m in results] == ["moose", "zebra", "aardvark"]
    assert results[0]["tier"] == {"slug": "platinum", "name": "Platinum", "rank": 1}
    assert results[0]["logo"].startswith("http://testserver/media/organizations/logos/")
    assert results[0]["url"] == "http://testserver/members/moose/"
    assert client.get("/api/v1/members/former/").status_code == 404
    assert client.get("/api/v1/members/moose/").json()["name"] == "Moose"


def test_members_filter_by_tier_country_and_industry(client):
    gold = MembershipTierFactory(slug="gold")
    silver = MembershipTierFactory(slug="silver")
    member(gold, slug="berlin", country="Germany", industry="cloud")
    member(silver, slug="paris", country="France", industry="retail")

    def slugs(query):
        return [m["slug"] for m in client.get(f"/api/v1/members/?{query}").json()["results"]]

    assert slugs("tier=gold") == ["berlin"]
    assert slugs("country=france") == ["paris"]
    assert slugs("industry=cloud") == ["berlin"]
    assert slugs("tier=silver&industry=cloud") == []


@pytest.mark.parametrize("url", ["/api/v1/members/?page_size=200", "/api/v1/tiers/"])
def test_member_lists_cost_the_same_for_5_and_200_members(client, url, django_assert_max_num_queries):
    tiers = [MembershipTierFactory(rank=rank) for rank in (1, 2, 3, 4)]
    for n in range(5):
        member(tiers[n % 4])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    for n in range(5, 200):
        member(tiers[n % 4])
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    if "members" in url:
        assert len(response.json()["results"]) == 200


def test_members_carry_the_country_code_and_filter_by_code_or_name(client):
    gold = MembershipTierFactory(slug="gold")
    member(gold, slug="oslo", country="Norway")
    member(gold, slug="bergen", country="NO")
    member(gold, slug="paris", country="France")
    member(gold, slug="nowhere", country="Atlantis")

    rows = {m["slug"]: m for m in client.get("/api/v1/members/").json()["results"]}
    assert (rows["oslo"]["country"], rows["oslo"]["country_code"]) == ("Norway", "NO")
    assert rows["paris"]["country_code"] == "FR"
    assert rows["nowhere"]["country_code"] is None

    def slugs(query):
        response = client.get(f"/api/v1/members/?{query}")
        assert response.status_code == 200
        return sorted(m["slug"] for m in response.json()["results"])

    assert slugs("country=NO") == slugs("country=Norway") == slugs("country=norway") == ["bergen", "oslo"]
    assert slugs("country_code=NO") == slugs("country_code=no") == ["bergen", "oslo"]
    assert slugs("country=Atlantis") == ["nowhere"]
    assert slugs("country=DE") == []
