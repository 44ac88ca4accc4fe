"""Sessions are Django's database sessions, read with a written-out statement: the same rows, the same rules."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from portal.accounts.session_store import SessionStore
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_saved_session_reads_back_in_one_query(django_assert_num_queries):
    session = SessionStore()
    session["cart"] = {"tickets": 2}
    session.create()
    with django_assert_num_queries(1):
        again = SessionStore(session.session_key)
        assert again["cart"] == {"tickets": 2}
    assert again.session_key == session.session_key


def test_an_expired_session_reads_empty_and_its_key_is_dropped():
    session = SessionStore()
    session["cart"] = {"tickets": 2}
    session.create()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    again = SessionStore(session.session_key)
    assert again.load() == {}
    assert again.session_key is None


def test_an_unknown_or_malformed_key_reads_empty():
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore("short").load() == {}
    assert SessionStore(None).load() == {}


def test_a_signed_in_person_stays_signed_in_until_they_log_out(client: Client):
    person = UserFactory(email="ada@example.org")
    client.force_login(person)
    assert client.get("/accounts/").status_code == 200
    client.post("/accounts/logout/")
    response = client.get("/accounts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
