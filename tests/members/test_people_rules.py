"""An organisation is never left without an admin, and no two organisations share a name, whichever
way the change comes (the People page, account deletion, the profile form, the API)."""

import json

import pytest
from django.test import Client

from members.models import Organization, OrganizationRole
from portal.accounts.exceptions import CannotDeleteAccount
from portal.accounts.services import user_anonymise
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipTierFactory, member, role_for
from tests.members.test_api_profile import session_client

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # noqa: S105


@pytest.fixture
def acme():
    return member(MembershipTierFactory(), name="Acme Orbit", slug="acme-orbit")


def test_the_last_admin_cannot_delete_their_account_and_the_page_says_why(acme):
    admin = role_for(acme, "admin", UserFactory(password=PASSWORD))
    client = Client()
    client.force_login(admin)
    page = client.get("/accounts/delete/").content.decode()
    assert "You are the only administrator of Acme Orbit" in page
    assert "/members/manage/acme-orbit/people/" in page
    assert "Delete my account</button>" not in page, "no button that can only fail"
    refused = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert "You are the only administrator of Acme Orbit" in refused.content.decode()
    assert OrganizationRole.objects.filter(organization=acme, role="admin", user=admin).exists()
    with pytest.raises(CannotDeleteAccount, match="only administrator of Acme Orbit"):
        user_anonymise(user=admin, actor=admin)  # from a shell, too


def test_with_a_second_admin_the_first_may_leave(acme):
    first, second = role_for(acme, "admin"), role_for(acme, "admin")
    user_anonymise(user=first, actor=first)
    assert list(OrganizationRole.objects.filter(organization=acme, role="admin").values_list("user", flat=True)) == [
        second.pk
    ]


def test_an_admin_cannot_rename_to_another_members_name_through_the_api(acme):
    beta = member(MembershipTierFactory(), name="Beta Bank", slug="beta-bank", country="Norway")
    client = session_client(role_for(beta, "admin"))

    def rename(name: str):
        return client.patch(
            "/api/v1/members/beta-bank/",
            data=json.dumps({"name": name}),
            content_type="application/json",
            HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        )

    for taken in ("Acme Orbit", "acme orbit", "ACME-ORBIT"):
        response = rename(taken)
        assert response.status_code == 400, (taken, response.content)
        assert response.json()["code"] == "name_taken"
    assert Organization.objects.get(slug="beta-bank").name == "Beta Bank"
    assert rename("Beta Bank ASA").status_code == 200  # a name of its own is fine


def test_the_profile_form_refuses_a_taken_name_on_the_form(acme):
    beta = member(MembershipTierFactory(), name="Beta Bank", slug="beta-bank")
    client = Client()
    client.force_login(role_for(beta, "admin"))
    response = client.post(
        "/members/manage/beta-bank/profile/",
        {"name": "Acme Orbit", "website": "https://beta.example/", "country": "Norway", "industry": "finance"},
    )
    assert response.status_code == 400  # the form again, with its error
    assert "Another organisation is already called Acme Orbit" in response.content.decode()
    assert Organization.objects.get(slug="beta-bank").name == "Beta Bank"
