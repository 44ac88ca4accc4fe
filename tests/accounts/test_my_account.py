"""Acceptance 4 and My account: profile, delete = anonymise, export my data."""

import json

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.db import connection
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.accounts import sections, services
from portal.accounts.exceptions import CannotDeleteAccount
from portal.accounts.users import User
from portal.core.joined import Read
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_my_account_needs_a_log_in(client):
    for name in ("accounts:home", "accounts:profile", "accounts:delete", "accounts:export"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_my_account_shows_the_person_and_links_to_email_and_password(client, django_assert_max_num_queries):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    client.force_login(user)
    client.get(reverse("accounts:home"))  # warm the site chrome's caches (site settings, footer links)
    # 8, plus one query for each section other apps register: the members app's applications and
    # organisations, the sponsorships, the individual membership.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert user.email in html
    assert reverse("account_email") in html
    assert reverse("account_change_password") in html
    assert html.count("<h1") == 1


def test_a_registered_section_shows_on_my_account(client, monkeypatch):
    monkeypatch.setattr(sections, "_SECTIONS", dict(sections._SECTIONS))
    sections.register_section(
        "tickets",
        "account/sections/list.html",
        lambda user: {
            "title": "Your tickets",
            "items": [{"label": f"Summit pass for {user.first_name}", "badge": "Paid"}],
        },
    )
    sections.register_section("hidden", "account/sections/list.html", lambda user: None)
    client.force_login(UserFactory(first_name="Grace"))
    html = client.get(reverse("accounts:home")).content.decode()
    assert html.count("Summit pass for Grace") == 1
    # Profile, tickets, individual membership (shown to everyone: the way to join), your data; not the hidden one.
    assert html.count('class="card"') == 4


def test_a_section_names_its_statements_and_every_section_s_go_to_the_database_together(client, monkeypatch):
    monkeypatch.setattr(sections, "_SECTIONS", dict(sections._SECTIONS))
    sections.register_section(
        "addresses",
        "account/sections/list.html",
        lambda user, addresses: {"title": "Your addresses", "items": [{"label": a.email} for a in addresses]},
        reads=lambda user: {
            "addresses": Read(
                EmailAddress, "SELECT a.id, a.email FROM account_emailaddress a WHERE a.user_id = %s", [user.pk]
            )
        },
    )
    user = UserFactory(first_name="Grace", email="grace@example.org")
    client.force_login(user)
    client.get(reverse("accounts:home"))  # warm the chrome's caches
    sent: list[tuple[str, bool]] = []

    def note(execute, sql, params, many, context):
        sent.append((sql, getattr(connection.connection, "_pipeline", None) is not None))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        html = client.get(reverse("accounts:home")).content.decode()
    assert "Your addresses" in html and html.count("grace@example.org") == 2  # the profile's and the section's
    reads = sum(len(section.reads(user)) for section in sections._SECTIONS.values() if section.reads)
    together = [sql for sql, piped in sent if piped]
    # On PostgreSQL every section's statements leave in one round trip; apart from them, the session and the person.
    assert len(together) == (reads if connection.vendor == "postgresql" else 0)
    assert len(sent) - len(together) == (2 if connection.vendor == "postgresql" else 2 + reads)


def test_profile_changes_the_name_and_audits_it(client):
    user = UserFactory(first_name="Ada", last_name="Byron")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"first_name": " Ada ", "last_name": "Lovelace"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    entry = ModelLogEntry.objects.get(action="guildhall.user.update_profile")
    assert entry.data == {"fields": ["last_name"]}


def test_deleting_an_account_anonymises_it_and_keeps_the_row(client):
    user = UserFactory(first_name="Ada", last_name="Lovelace", email="ada@example.org")
    other = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    kept = User.objects.get(pk=user.pk)
    assert kept.first_name == "" and kept.last_name == ""
    assert "ada" not in kept.email and kept.email.endswith("@anonymised.invalid")
    assert not kept.has_usable_password()
    assert not kept.is_active
    assert not EmailAddress.objects.filter(user=kept).exists()
    assert not EmailAddress.objects.filter(email__iexact="ada@example.org").exists()
    assert EmailAddress.objects.filter(user=other).exists(), "nobody else is touched"
    entry = ModelLogEntry.objects.get(action="guildhall.user.anonymise")
    assert entry.object_id == str(user.pk)
    assert "Ada" not in entry.label and "ada@" not in entry.label

    # The address is free again, and the old password opens nothing.
    assert client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_deleting_needs_the_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "not-mine", "confirm": "on"})
    assert response.status_code == 200
    assert b"That is not your password." in response.content
    assert b"field--error" in response.content
    user.refresh_from_db()
    assert user.is_active and user.first_name == "Ada"


def test_a_superuser_cannot_anonymise_themselves():
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(CannotDeleteAccount):
        services.user_anonymise(user=admin, actor=admin)
    admin.refresh_from_db()
    assert admin.is_active


def test_earlier_audit_entries_lose_the_name_but_stay():
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    services.user_update_profile(user=user, first_name="Ada", last_name="King", actor=user)
    services.user_anonymise(user=user, actor=user)
    labels = list(ModelLogEntry.objects.filter(object_id=str(user.pk)).values_list("label", flat=True))
    assert len(labels) == 2
    assert not any("Ada" in label or "King" in label for label in labels)


def test_export_holds_the_persons_data_and_nobody_elses(client, django_assert_max_num_queries):
    user = UserFactory(first_name="Ada", last_name="Lovelace", email="ada@example.org")
    other = UserFactory(first_name="Grace", last_name="Hopper", email="grace@example.org")
    services.user_update_profile(user=user, first_name="Ada", last_name="King", actor=user)
    services.user_update_profile(user=other, first_name="Grace", last_name="Murray", actor=other)
    client.force_login(user)
    # The session, the user; the accounts app's audit entries and addresses; the events app's orders, and
    # the waiting-list entries of the person's verified addresses (2); the members app's individual
    # membership (with the page restrictions its page needs), applications and organisation roles.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.org"
    assert data["account"]["last_name"] == "King"
    assert data["email_addresses"] == [{"email": "ada@example.org", "verified": True, "primary": True}]
    assert [entry["action"] for entry in data["audit_log"]] == ["guildhall.user.update_profile"]
    assert data["audit_log"][0]["by"] == "you"
    raw = response.content.decode()
    assert "grace" not in raw.lower() and "Murray" not in raw and "Hopper" not in raw


def test_a_registered_export_appears_in_the_download(client, monkeypatch):
    monkeypatch.setattr(sections, "_EXPORTS", dict(sections._EXPORTS))
    sections.register_export("tickets", lambda user: [{"holder": user.email}])
    user = UserFactory()
    client.force_login(user)
    data = json.loads(client.get(reverse("accounts:export")).content)
    assert data["tickets"] == [{"holder": user.email}]


def test_someone_who_is_not_an_individual_member_sees_the_way_in_not_blank_rows(client):
    client.force_login(UserFactory())
    soup = BeautifulSoup(client.get("/accounts/").content, "html.parser")
    card = soup.select_one('section[aria-label="Individual membership"]')
    assert card.select(".item-list__item") == []
    assert "You are not an individual member" in card.get_text()
    assert card.select_one('a[href="/members/individuals/join/"]')
