"""Acceptance 1: sign-up, verification e-mail through the task, confirm, log in; rate limits."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def _log_in(client, email, password, **extra):
    return client.post(LOGIN_URL, {"login": email, "password": password, **extra})


def test_sign_up_verify_by_the_mailed_link_then_log_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/accounts/signup/",
            {"email": "Grace@Example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert mail.outbox == [], "the e-mail waits for the commit"
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert callbacks, "the message went through the Celery task after commit"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.org"]
    assert message.subject.startswith("[Open Infrastructure Foundation]")
    assert "Open Infrastructure Foundation" in message.body

    # Not verified yet: the password is right but the account cannot be used.
    response = _log_in(client, "grace@example.org", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert b"grace@example.org" in page.content
    confirmed = client.post(link)
    assert confirmed.status_code == 302

    response = _log_in(client, "grace@example.org", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 200
    assert b"grace@example.org" in home.content
    assert b"Verified" in home.content


def test_log_out_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 200  # a confirmation page, still logged in
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


NOT_CORRECT = b"The email address and/or password you specified are not correct."
TOO_MANY = b"Too many failed login attempts"


@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff"])
def test_ten_wrong_passwords_in_a_row_are_rate_limited(client, staff, staff_groups):
    user = UserFactory(groups=["Content editors"] if staff else [])
    responses = [_log_in(client, user.email, f"wrong-{attempt}") for attempt in range(10)]
    assert all(r.status_code == 200 for r in responses)  # the form again each time, never a log-in
    assert NOT_CORRECT in responses[0].content
    assert TOO_MANY in responses[-1].content

    # The right password no longer helps: the account's attempts are used up.
    response = _log_in(client, user.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert TOO_MANY in response.content

    # The counts live in the cache (Redis in production, shared by every worker): cleared, it lets go.
    cache.clear()
    assert _log_in(client, user.email, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_ten_wrong_passwords_from_one_address_across_accounts_are_rate_limited(client):
    people = UserFactory.create_batch(11)
    for person in people[:10]:
        assert NOT_CORRECT in _log_in(client, person.email, "wrong").content
    response = _log_in(client, people[10].email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert TOO_MANY in response.content


def test_the_limit_is_per_account_a_different_person_still_logs_in(client):
    victim, other = UserFactory(), UserFactory()
    for attempt in range(6):
        _log_in(client, victim.email, f"wrong-{attempt}")
    response = _log_in(client, other.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_password_reset_mails_a_link(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
