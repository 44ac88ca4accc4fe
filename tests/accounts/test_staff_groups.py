"""The staff groups as the migrations make them: every permission belongs to a real model."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from portal.accounts.groups import EVENTS_STAFF, ensure_staff_groups


def test_no_content_type_is_left_without_a_model(db):
    ensure_staff_groups()
    assert [f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all() if ct.model_class() is None] == []


def test_events_staff_hold_the_check_in_permission_that_the_ticket_model_declares(db):
    ensure_staff_groups()
    check_in = Permission.objects.get(codename="check_in_ticket")
    assert check_in.content_type.model_class().__name__ == "Ticket"
    assert check_in.name == "Can check in tickets at the door"
    assert Group.objects.get(name=EVENTS_STAFF).permissions.filter(pk=check_in.pk).exists()
