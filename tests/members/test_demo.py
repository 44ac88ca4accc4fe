"""The demo gives the review queue and the member admin pages something to show."""

import pytest
from django.test import Client

from members import demo as members_demo
from members.models import IndividualMember, MembershipApplication, OrganizationRole
from portal.site import demo

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_queue_and_organisation_admins_once(membership_staff, staff_client_factory):
    demo.ensure_members()
    members_demo.load()
    members_demo.load()
    assert sorted(MembershipApplication.objects.values_list("status", flat=True)) == ["submitted", "under_review"]
    admins = OrganizationRole.objects.filter(role="admin").select_related("user", "organization")
    assert admins.count() >= 3
    assert all(role.user.emailaddress_set.filter(verified=True).exists() for role in admins)
    staff = staff_client_factory(user=membership_staff, client=Client())
    queue = staff.get("/admin/members/applications/").content.decode()
    assert "Copperline Cloud" in queue and "Lanternworks Research" in queue


def test_the_demo_has_individual_members_with_projects_once(client):
    demo.load()
    demo.load()
    names = [person.display_name for person in IndividualMember.objects.filter(left_at__isnull=True)]
    assert len(names) == len(members_demo.INDIVIDUAL_MEMBERS) >= 3
    page = client.get("/members/individuals/").content.decode()
    assert all(name in page for name in names)
    profile = client.get("/members/individuals/amara-okonkwo/").content.decode()
    assert 'href="/members/northwind-cloud/"' in profile and 'href="/projects/openstack/"' in profile


def test_the_demo_staff_account_is_in_every_staff_group_so_application_alerts_reach_it(
    staff_groups, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model
    from django.core import mail

    from portal.accounts.groups import STAFF_GROUPS
    from tests.accounts.factories import UserFactory
    from tests.members.factories import MembershipTierFactory, application

    demo.ensure_staff()
    staff = get_user_model().objects.get(email=demo.DEMO_STAFF_EMAIL)
    assert set(staff.groups.values_list("name", flat=True)) == {group.name for group in STAFF_GROUPS}
    with django_capture_on_commit_callbacks(execute=True):
        application(applicant=UserFactory(), tier=MembershipTierFactory(), name="Copperline Cloud")
    assert any(demo.DEMO_STAFF_EMAIL in m.to and "Copperline Cloud" in m.subject for m in mail.outbox)
