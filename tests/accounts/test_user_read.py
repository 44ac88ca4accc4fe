"""The signed-in person is read by primary key on every request, through a written-out statement: the same
person as the ORM reads, and the same rules (a deactivated or deleted account is signed out)."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_a_person_read_by_primary_key_is_the_orms_reading():
    person = UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")
    read = User.objects.get(pk=person.pk)
    assert _fields(read) == _fields(QuerySet(User).get(pk=person.pk))
    assert read.date_joined.tzinfo is not None and read.get_deferred_fields() == set()
    assert User.objects.get(email__iexact="ADA@example.org") == person  # other lookups: the ORM's


def test_a_primary_key_that_is_not_there_raises_does_not_exist():
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=987654)


def test_a_deactivated_or_deleted_account_is_signed_out_on_its_next_request(client):
    person = UserFactory(email="ada@example.org")
    client.force_login(person)
    assert client.get("/accounts/").status_code == 200
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert client.get("/accounts/").status_code == 302
    client.force_login(UserFactory(email="grace@example.org"))
    User.objects.filter(email="grace@example.org").delete()
    assert client.get("/accounts/").status_code == 302


def test_my_accounts_addresses_read_as_the_orms_primary_first():
    from allauth.account.models import EmailAddress

    from portal.accounts.selectors import user_email_addresses, user_email_addresses_read

    person = UserFactory(email="ada@example.org")
    EmailAddress.objects.filter(user=person).delete()
    for email, primary, verified in [
        ("b@example.org", False, True),
        ("ada@example.org", True, True),
        ("a@example.org", False, False),
    ]:
        EmailAddress.objects.create(user=person, email=email, primary=primary, verified=verified)
    other = UserFactory(email="grace@example.org")
    EmailAddress.objects.get_or_create(user=other, email="grace@example.org", defaults={"primary": True})
    listed = user_email_addresses_read(person).fetch()
    assert [(a.email, a.primary, a.verified) for a in listed] == [
        (a.email, a.primary, a.verified) for a in user_email_addresses(person)
    ]
    assert [a.email for a in listed] == ["ada@example.org", "a@example.org", "b@example.org"]
