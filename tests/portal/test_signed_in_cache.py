"""Signed-in people get public pages from a cache of their own, one per kind of header (people, staff):
the same page for everyone of a kind, private to browsers, purged with the anonymous cache, and never
for a restricted page or a person with messages waiting."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client
from wagtail.models import PageViewRestriction

from tests.accounts.factories import UserFactory
from tests.conftest import login_staff, signed_in_client

pytestmark = pytest.mark.django_db
URL = "/projects/kata-containers/"


def test_a_signed_in_hit_costs_two_queries_and_shows_the_persons_header(kata, django_assert_max_num_queries):
    first = signed_in_client().get(URL)
    assert first["X-Page-Cache"] == "miss" and "private" in first["Cache-Control"]
    other = signed_in_client()
    with django_assert_max_num_queries(5):  # the session, the person, their admin access and roles once
        assert other.get(URL)["X-Page-Cache"] == "hit", "the page one person made serves another"
    with django_assert_max_num_queries(2):  # the session and the person, nothing for the page
        second = other.get(URL)
    assert second["X-Page-Cache"] == "hit"
    html = second.content.decode()
    assert "Kata Containers" in html and "My account" in html and "Log in" not in html
    assert 'href="/admin/"' not in html, "people without admin access get no Admin link"


def test_staff_get_a_header_of_their_own(kata):
    signed_in_client().get(URL)  # a person's header is stored
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Editors"))  # Wagtail's group with admin access
    client = Client()
    login_staff(client, staff)
    client.get("/accounts/")  # the log-in's message is read here, not on the page
    html = client.get(URL).content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/admin/"' not in signed_in_client().get(URL).content.decode()


def test_a_publish_shows_at_once_to_signed_in_people(kata):
    client = signed_in_client()
    assert "Lightweight VMs." in client.get(URL).content.decode()
    kata.tagline = "Containers with VM isolation."
    kata.save_revision().publish()
    response = client.get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert "Containers with VM isolation." in response.content.decode()


def test_a_person_with_a_message_waiting_gets_the_page_rendered_with_it(kata, rf):
    client = signed_in_client()
    client.get(URL)  # stored without messages
    storage, carrier = CookieStorage(rf.get("/")), HttpResponse()
    storage.add(messages.SUCCESS, "Your profile is saved.")
    storage.update(carrier)  # as a view that adds a message and redirects leaves it
    client.cookies["messages"] = carrier.cookies["messages"].value
    assert "Your profile is saved." in client.get(URL).content.decode()
    assert "Your profile is saved." not in client.get(URL).content.decode(), "shown once, then the cached page"


def test_a_restricted_page_is_never_kept_for_signed_in_people(kata):
    PageViewRestriction.objects.create(page=kata, restriction_type=PageViewRestriction.LOGIN)
    client = signed_in_client()
    assert client.get(URL).status_code == 200
    assert "X-Page-Cache" not in client.get(URL)
