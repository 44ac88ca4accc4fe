"""Acceptance 1: schemathesis fuzzes every public operation of /api/schema/ against the real app.

100 generated cases per operation, valid and invalid, derandomized (a fixed seed, so CI is repeatable),
throttling off.
The WSGI app runs in this process, so it sees the rows this test's database transaction holds.
Operations that need credentials get a token with every scope; the rest are called anonymously.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode

from tests.api.factories import token


def _load_schema():
    """The published schema, generated in-process (no database needed) and served to the WSGI app.

    Not `schemathesis.pytest.from_fixture`: its lazy loader relies on a pytest node attribute that
    pytest 9 no longer has.
    """
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()

# Every check runs, the two about query parameters included: data the schema allows must not be refused
# (positive_data_acceptance) and data it forbids (`?page=`, `?page=abc`, `?status=nonsense`, a blank
# filter) must be (negative_data_rejection). Both positive and negative cases are generated.
schema.config.generation.update(modes=list(GenerationMode))


def _event_with_a_paid_order():
    from decimal import Decimal

    from events import services
    from tests.events.factories import EventFactory, TicketTypeFactory

    event = EventFactory(slug="summit")
    free = TicketTypeFactory(event=event, price=Decimal("0"))
    services.order_create(
        event=event,
        buyer_name="Buyer",
        buyer_email="buyer@example.org",
        quantities={free.pk: 2},
        accepted_code_of_conduct=True,
    )


@pytest.fixture
def api_data(db, site_with_home):
    """A few rows behind every public endpoint, so detail operations hit real objects too."""
    from tests.adoption.factories import AggregateFactory, EditionFactory
    from tests.members.factories import MembershipTierFactory, member
    from tests.portal import factories as pages

    tier = MembershipTierFactory(slug="platinum", name="Platinum")
    acme = member(tier, slug="acme", name="Acme")
    index = pages.project_index(site_with_home)
    pages.project(index, 1, organizations=[acme])
    for year in (2021, 2022):
        AggregateFactory(edition=EditionFactory(year=year))
    _event_with_a_paid_order()
    _, secret = token("read", "checkin", "staff", name="schemathesis")
    return {"secret": secret}


@pytest.fixture
def in_process_app(monkeypatch):
    """Throttling off, and the WSGI handler must not close the test's database connection per request."""
    from django.core import signals
    from django.db import close_old_connections
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "get_throttles", lambda self: [])
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(api_data):
    return {"Authorization": f"Bearer {api_data['secret']}"}


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_holds_to_its_schema(case, auth_headers, in_process_app):
    needs_credentials = {} not in case.operation.definition.raw.get("security", [{}])
    case.call_and_validate(headers=auth_headers if needs_credentials else None)
