"""Steps of the sponsor journeys in Chromium, by visible labels: sign in by session cookie, the sponsor signs
the contract, Events staff countersign it, the sponsor uploads a logo on its sponsor page."""

import re
from pathlib import Path

from django.test import Client

from portal.accounts.mfa import totp_activate
from tests.conftest import log_in_with_second_factor


def session_cookie(user, *, second_factor: bool = False) -> str:
    """A session for `user` to hand to the browser; staff pages want a second factor, activated here."""
    client = Client()
    if second_factor:
        totp_activate(user)
        log_in_with_second_factor(client, user)
    else:
        client.force_login(user)
    return client.cookies["sessionid"].value


def _sign(page, form, *, name: str, title: str, button: str) -> None:
    form.get_by_label("Your full name").fill(name)
    form.get_by_label("Your title").fill(title)
    form.get_by_label("I have reviewed the contract above and sign it").check()
    with page.expect_navigation():
        form.get_by_role("button", name=button).click()


def sign_the_contract(page, *, name: str, title: str) -> None:
    """On the contract page: the sponsor's administrator signs, and is told the contract is signed."""
    _sign(page, page.get_by_role("form", name="Sign the contract"), name=name, title=title, button="Sign the contract")
    assert "the contract is signed" in page.locator(".messages").inner_text()


def countersign_the_contract(page, *, name: str, title: str) -> None:
    """On the admin contract page: Events staff countersign; the copy signed by both sides is offered."""
    _sign(page, page.get_by_role("form", name="Countersign"), name=name, title=title, button="Countersign")
    assert page.get_by_role("link", name="Signed by both sides").is_visible()


def upload_the_logo(page, card, logo: Path, event_name: str) -> None:
    """On the sponsor page: upload an SVG logo from the sponsorship's card; the sponsor is told it arrived."""
    card.get_by_label(re.compile(r"^Logo for ")).set_input_files(logo)
    with page.expect_navigation():
        card.get_by_role("button", name="Upload logo").click()
    assert f"Your SVG logo for {event_name} is received." in page.get_by_role("status").inner_text()
