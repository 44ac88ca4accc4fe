"""Invitations to an organisation role: e-mailed by an admin, valid 7 days, revocable, used once, and only
by the person who signs in with the invited address verified (a leaked link gives nothing away)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from wagtail.models import ModelLogEntry

from members.manage import invitations
from members.manage.exceptions import (
    InvitationEmailMismatch,
    InvitationRevoked,
    InvitationUsed,
    NotAllowed,
)
from members.models import OrganizationInvitation, OrganizationRole
from tests.accounts.factories import PASSWORD, UserFactory
from tests.members.factories import MembershipTierFactory, member, role_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    organization = member(MembershipTierFactory(), name="Acme", slug="acme")
    organization.admin = role_for(organization, "admin", UserFactory(first_name="Ada", last_name="Admin"))
    return organization


def invite(organization, email="grace@example.org", role="billing"):
    return invitations.invitation_create(organization=organization, email=email, role=role, actor=organization.admin)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/members/invitations/[^\s]+/)", message.body).group(1)


def roles_of(user, organization) -> set[str]:
    return set(OrganizationRole.objects.filter(user=user, organization=organization).values_list("role", flat=True))


def test_an_admin_invites_by_e_mail_and_only_a_hash_of_the_token_is_stored(
    client, acme, django_capture_on_commit_callbacks
):
    client.force_login(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/members/manage/acme/people/invite/", {"email": "Grace@Example.org", "role": "billing"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["grace@example.org"]
    assert "Acme" in message.subject and "billing contact" in message.subject
    link = link_in(message)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    invitation = OrganizationInvitation.objects.get()
    assert invitation.token_hash == invitations.token_hash(token) and token not in invitation.token_hash
    assert (invitation.expires_at - invitation.created_at).days == 7
    assert ModelLogEntry.objects.filter(action="guildhall.organization_invitation.create", user=acme.admin).exists()


def test_only_admins_invite(acme):
    billing = role_for(acme, "billing")
    with pytest.raises(NotAllowed):
        invitations.invitation_create(organization=acme, email="x@example.org", role="admin", actor=billing)
    assert not OrganizationInvitation.objects.exists()


def test_an_accepted_invitation_gives_exactly_the_invited_role_once(client, acme):
    _, token = invite(acme, role="billing")
    grace = UserFactory(email="grace@example.org")
    client.force_login(grace)
    page = client.get(f"/members/invitations/{token}/")
    assert "Accept the invitation" in page.content.decode()
    response = client.post(f"/members/invitations/{token}/")
    assert response.status_code == 302 and response.url == "/members/manage/acme/"
    assert roles_of(grace, acme) == {"billing"}  # not admin, not anything else
    assert client.get("/members/manage/acme/invoices/").status_code == 200
    assert client.get("/members/manage/acme/profile/").status_code == 403
    assert ModelLogEntry.objects.filter(action="guildhall.organization_invitation.accept", user=grace).exists()

    again = client.post(f"/members/invitations/{token}/")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    with pytest.raises(InvitationUsed):
        invitations.invitation_accept(token=token, user=grace)
    assert OrganizationRole.objects.filter(user=grace).count() == 1


def test_a_used_link_gives_nothing_to_a_second_person_with_the_same_address_either(acme):
    _, token = invite(acme, email="team@example.org", role="admin")
    first = UserFactory(email="team@example.org")
    invitations.invitation_accept(token=token, user=first)
    EmailAddress.objects.filter(user=first).delete()
    second = UserFactory(email="other@example.org")
    EmailAddress.objects.create(user=second, email="team@example.org", verified=True)
    with pytest.raises(InvitationUsed):
        invitations.invitation_accept(token=token, user=second)
    assert roles_of(second, acme) == set()


def test_an_expired_invitation_is_refused(client, acme, time_machine):
    time_machine.move_to("2026-03-01T09:00:00Z", tick=False)
    _, token = invite(acme)
    grace = UserFactory(email="grace@example.org")
    time_machine.move_to("2026-03-08T09:00:01Z", tick=False)  # 7 days and a second later
    client.force_login(grace)
    page = client.get(f"/members/invitations/{token}/").content.decode()
    assert "This invitation expired on 08 March 2026" in page and "Accept the invitation" not in page
    response = client.post(f"/members/invitations/{token}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert roles_of(grace, acme) == set()


def test_an_invitation_is_still_good_just_before_it_expires(acme, time_machine):
    time_machine.move_to("2026-03-01T09:00:00Z", tick=False)
    _, token = invite(acme)
    time_machine.move_to("2026-03-08T08:59:59Z", tick=False)
    grace = UserFactory(email="grace@example.org")
    invitations.invitation_accept(token=token, user=grace)
    assert roles_of(grace, acme) == {"billing"}


def test_a_revoked_invitation_is_refused(client, acme):
    invitation, token = invite(acme)
    client.force_login(acme.admin)
    client.post(f"/members/manage/acme/people/invitations/{invitation.pk}/revoke/")
    grace = UserFactory(email="grace@example.org")
    client.force_login(grace)
    response = client.post(f"/members/invitations/{token}/")
    assert response.status_code == 410
    assert "Acme withdrew this invitation" in response.content.decode()
    with pytest.raises(InvitationRevoked):
        invitations.invitation_accept(token=token, user=grace)
    assert roles_of(grace, acme) == set()


def test_a_new_invitation_to_the_same_address_and_role_replaces_the_pending_one(acme):
    _, first = invite(acme)
    _, second = invite(acme)
    grace = UserFactory(email="grace@example.org")
    with pytest.raises(InvitationRevoked):
        invitations.invitation_accept(token=first, user=grace)
    invitations.invitation_accept(token=second, user=grace)
    assert roles_of(grace, acme) == {"billing"}


def test_a_leaked_link_gives_nothing_to_someone_signed_in_with_another_address(client, acme):
    _, token = invite(acme, email="new.admin@acme.example", role="admin")
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    page = client.get(f"/members/invitations/{token}/").content.decode()
    assert "This invitation was sent to new.admin@acme.example" in page
    assert "Log out and log in as new.admin@acme.example" in page
    response = client.post(f"/members/invitations/{token}/")
    assert response.status_code == 403
    assert roles_of(stranger, acme) == set()
    # Adding the address is not enough while it is unverified.
    EmailAddress.objects.create(user=stranger, email="new.admin@acme.example", verified=False)
    with pytest.raises(InvitationEmailMismatch):
        invitations.invitation_accept(token=token, user=stranger)
    assert client.get("/members/manage/acme/").status_code == 404
    # The link still works for the person it was sent to.
    invitations.invitation_accept(token=token, user=UserFactory(email="New.Admin@acme.example"))


def test_an_unknown_token_is_a_404(client):
    assert client.get("/members/invitations/not-a-real-token/").status_code == 404


def test_a_visitor_with_an_account_logs_in_and_comes_back_to_accept(client, acme):
    _, token = invite(acme, email="grace@example.org", role="technical")
    grace = UserFactory(email="grace@example.org")
    page = client.get(f"/members/invitations/{token}/").content.decode()
    login = f"/accounts/login/?next=%2Fmembers%2Finvitations%2F{token}%2F"
    assert login in page
    response = client.post(login, {"login": "grace@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.url == f"/members/invitations/{token}/"
    client.post(response.url)
    assert roles_of(grace, acme) == {"technical"}


def test_an_unknown_address_signs_up_verifies_and_ends_with_the_role(client, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, token = invite(acme, email="newcomer@example.org", role="marketing")
    invitation_path = f"/members/invitations/{token}/"
    page = client.get(invitation_path).content.decode()
    signup = re.search(r'href="(/accounts/signup/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "email=newcomer%40example.org" in signup
    assert 'value="newcomer@example.org"' in client.get(signup).content.decode()  # the address is filled in

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(signup, {"email": "newcomer@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["newcomer@example.org"]
    confirm = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", confirmation.body).group(1)
    response = client.post(confirm)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=%2Fmembers%2Finvitations%2F{token}%2F"

    response = client.post(response.url, {"login": "newcomer@example.org", "password": PASSWORD})
    assert response.url == invitation_path
    assert "Accept the invitation" in client.get(invitation_path).content.decode()
    response = client.post(invitation_path)
    assert response.url == "/members/manage/acme/"
    newcomer = EmailAddress.objects.get(email="newcomer@example.org").user
    assert roles_of(newcomer, acme) == {"marketing"}
    assert client.get("/members/manage/acme/profile/").status_code == 200


def test_an_admin_cannot_invite_someone_to_a_role_they_already_hold(client, acme):
    billing = role_for(acme, "billing", UserFactory(email="bill@example.org"))
    client.force_login(acme.admin)
    response = client.post("/members/manage/acme/people/invite/", {"email": "BILL@example.org", "role": "billing"})
    assert response.status_code == 400
    assert "bill@example.org is already Acme&#x27;s billing contact" in response.content.decode()
    assert not OrganizationInvitation.objects.exists()
    assert billing


def test_an_accepted_invitation_cannot_be_revoked(acme):
    invitation, token = invite(acme)
    invitations.invitation_accept(token=token, user=UserFactory(email="grace@example.org"))
    with pytest.raises(InvitationUsed):
        invitations.invitation_revoke(invitation=invitation, actor=acme.admin)


def test_expired_invitations_are_not_listed_as_pending(client, acme, time_machine):
    time_machine.move_to("2026-03-01T09:00:00Z", tick=False)
    invite(acme, email="late@example.org")
    time_machine.move_to("2026-03-09T09:00:00Z", tick=False)
    client.force_login(acme.admin)
    assert "late@example.org" not in client.get("/members/manage/acme/people/").content.decode()


def test_deleting_the_account_removes_the_address_from_the_invitations_it_accepted(acme):
    from portal.accounts.services import user_anonymise

    invitation, token = invite(acme, email="grace@example.org")
    grace = UserFactory(email="grace@example.org")
    invitations.invitation_accept(token=token, user=grace)
    user_anonymise(user=grace, actor=grace)
    invitation.refresh_from_db()
    assert "grace" not in invitation.email and invitation.email.endswith("@anonymised.invalid")
    assert roles_of(grace, acme) == set()
