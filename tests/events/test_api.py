from decimal import Decimal

import pytest

from events import services
from tests.events.factories import EventFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


def _summit(slug, seats_taken=0):
    event = EventFactory(slug=slug)
    full = TicketTypeFactory(event=event, name="Full access", price=Decimal("749.00"), capacity=50)
    TicketTypeFactory(event=event, name="Crew", hidden=True)
    if seats_taken:
        services.order_create(
            event=event,
            quantities={full.pk: seats_taken},
            buyer_name="A",
            buyer_email="a@example.org",
            accepted_code_of_conduct=True,
        )
    return event


def test_events_list_and_detail(client, django_assert_max_num_queries):
    for n in range(3):
        _summit(f"s{n}")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/events/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["register_url"].startswith("http://testserver/events/")
    assert first["registration_open"] is True
    detail = client.get("/api/v1/events/s1/").json()
    assert detail["slug"] == "s1" and detail["currency"] == "USD" and detail["time_zone"] == "America/Vancouver"
    assert client.get("/api/v1/events/nope/").json()["code"] == "not_found"


def test_ticket_types_with_availability_in_constant_queries(client, django_assert_num_queries):
    event = _summit("summit", seats_taken=3)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/events/summit/ticket-types/")
    rows = response.json()
    assert [r["name"] for r in rows] == ["Full access"]  # hidden types stay hidden
    assert rows[0]["available"] == 47 and rows[0]["price"] == "749.00" and rows[0]["currency"] == "USD"
    for n in range(5):
        TicketTypeFactory(event=event, name=f"Extra {n}")
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/events/summit/ticket-types/").json()) == 6


def test_schema_documents_the_events_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/events/{slug}/ticket-types/" in schema["paths"]


def test_events_carry_the_country_code_and_filter_by_code_or_name(client):
    EventFactory(slug="paris", city="Paris", country="France")
    EventFactory(slug="vancouver")

    rows = {e["slug"]: e for e in client.get("/api/v1/events/").json()["results"]}
    assert rows["paris"]["country_code"] == "FR" and rows["vancouver"]["country_code"] == "CA"

    def slugs(query):
        return [e["slug"] for e in client.get(f"/api/v1/events/?{query}").json()["results"]]

    assert slugs("country=FR") == slugs("country=France") == slugs("country_code=fr") == ["paris"]
    assert slugs("country_code=CA") == ["vancouver"]
