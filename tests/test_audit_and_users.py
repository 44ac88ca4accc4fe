import pytest
from django.db import IntegrityError
from wagtail.models import ModelLogEntry

from portal.core.audit import audit
from portal.models import User


@pytest.mark.django_db
def test_email_is_unique_whatever_its_case():
    User.objects.create_user(email="Ada@Example.org", password="x")
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="ada@example.org", password="y")


@pytest.mark.django_db
def test_login_lookup_ignores_case():
    user = User.objects.create_user(email="grace@example.org", password="x")
    assert User.objects.get_by_natural_key("GRACE@example.ORG") == user


@pytest.mark.django_db
def test_audit_records_who_did_what_in_wagtails_log():
    staff = User.objects.create_user(email="staff@example.org", password="x", is_staff=True)
    person = User.objects.create_user(email="person@example.org", password="x")
    audit("guildhall.user.anonymise", person, actor=staff, data={"reason": "asked by the person"})
    entry = ModelLogEntry.objects.get(action="guildhall.user.anonymise")
    assert entry.user_id == staff.pk
    assert entry.object_id == str(person.pk)
    assert entry.data == {"reason": "asked by the person"}
    assert entry.message == "Account anonymised"


def test_audit_refuses_an_unregistered_action():
    with pytest.raises(ValueError, match="Unregistered audit action"):
        audit("guildhall.nothing", User(email="x@example.org"))
