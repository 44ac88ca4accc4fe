"""The audit log in the Wagtail admin: every audited action, filterable, for the staff who oversee."""

import pytest
from django.contrib.contenttypes.models import ContentType

from portal.accounts import services as account_services
from portal.accounts.groups import CONTENT_EDITORS, EVENTS_STAFF, FINANCE, MEMBERSHIP_STAFF
from portal.adoption import services as adoption_services
from portal.adoption.models import ResponseStatus, SurveyResponse
from tests.accounts.factories import UserFactory
from tests.adoption.factories import ResponseFactory

pytestmark = pytest.mark.django_db
LOG = "/admin/audit-log/"


@pytest.fixture
def history(staff_groups, django_capture_on_commit_callbacks):
    """A member edits their profile; a moderator approves a survey answer."""
    member = UserFactory(first_name="Mia", last_name="Member")
    moderator = UserFactory(first_name="Omar", last_name="Moderator", is_staff=True)
    account_services.user_update_profile(user=member, first_name="Mina", last_name="Member", actor=member)
    pending = ResponseFactory(status=ResponseStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        adoption_services.response_approve(response=pending, actor=moderator)
    return {"member": member, "moderator": moderator, "response": pending}


@pytest.mark.parametrize("group", [FINANCE, MEMBERSHIP_STAFF, EVENTS_STAFF])
def test_oversight_groups_see_every_audited_action(staff_client_factory, history, group):
    client = staff_client_factory(groups=[group])
    assert "Audit log" in client.get("/admin/").content.decode()  # in the Reports menu
    html = client.get(LOG).content.decode()
    assert "Profile updated" in html and "Survey response approved" in html
    assert "Mina Member" in html or history["member"].email in html
    assert history["moderator"].get_full_name() in html or history["moderator"].email in html


def test_filters_by_action_user_date_and_object_type(staff_client_factory, history):
    client = staff_client_factory(groups=[FINANCE])
    by_action = client.get(LOG, {"action": "guildhall.user.update_profile"}).content.decode()
    assert "Profile updated" in by_action and "Survey response approved" not in by_action
    by_user = client.get(LOG, {"user": history["moderator"].pk}).content.decode()
    assert "Survey response approved" in by_user and "Profile updated" not in by_user
    response_type = ContentType.objects.get_for_model(SurveyResponse)
    by_type = client.get(LOG, {"object_type": response_type.pk}).content.decode()
    assert "Survey response approved" in by_type and "Profile updated" not in by_type
    future = client.get(LOG, {"timestamp_from": "2999-01-01"}).content.decode()
    assert "Profile updated" not in future and "Survey response approved" not in future
    today = client.get(LOG, {"timestamp_from": "2000-01-01"}).content.decode()
    assert "Profile updated" in today
    filters = client.get(LOG).content.decode()
    for name in ('name="action"', 'name="user"', 'name="timestamp_from"', 'name="object_type"'):
        assert name in filters


def test_the_log_can_be_downloaded(staff_client_factory, history):
    response = staff_client_factory(groups=[FINANCE]).get(LOG, {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "Update profile,Mina Member" in body and "Approve survey response" in body


def test_content_editors_and_members_cannot_read_it(staff_client_factory, client, history):
    editor = staff_client_factory(groups=[CONTENT_EDITORS])
    assert "Audit log" not in editor.get("/admin/").content.decode()
    response = editor.get(LOG)
    assert response.status_code in (302, 403)
    assert "Profile updated" not in editor.get(LOG, follow=True).content.decode()
