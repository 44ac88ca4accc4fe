"""The pay page in Chromium with localstripe's Stripe.js: the card path and 3-D Secure, as a payer does it."""

from decimal import Decimal

import pytest

from portal.payments import services
from portal.payments.models import PaymentStatus
from tests.e2e.screenshots import full_page_screenshot
from tests.e2e.test_journeys import _fill_card
from tests.payments.conftest import fulfilments  # noqa: F401 - the fixture
from tests.payments.factories import OwnerFactory


@pytest.mark.localstripe
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("card", ["4242424242424242", "4000002500003155"], ids=["plain", "3ds"])
def test_payer_pays_by_card_in_the_browser(live_server, page, localstripe, fulfilments, artifacts_dir, card):  # noqa: F811
    owner = OwnerFactory()
    payment = services.payment_create(
        owner=owner, amount=Decimal("75.00"), currency="EUR", payer_email=owner.email, description="Workshop"
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + payment.get_absolute_url())
    _fill_card(page, card)
    page.get_by_role("button", name="Pay 75.00 EUR").click()
    if card.startswith("40000025"):
        page.get_by_role("button", name="Complete authentication").click()
    page.wait_for_url(f"**{payment.get_return_url()}", timeout=20_000)
    assert page.locator("h1").inner_text() == "Thank you: payment received"
    full_page_screenshot(page, artifacts_dir / f"payments-paid-{card[-4:]}.png")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert fulfilments.succeeded == [payment.pk]
    assert errors == []
