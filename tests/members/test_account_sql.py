"""My account's members sections are SQL (members.selectors): they find exactly the roles, dues to pay,
applications and individual membership that the ORM selectors find."""

import pytest

from members import selectors, services
from members.models import DuesPeriod, Membership, OrganizationRole
from tests.accounts.factories import UserFactory
from tests.members.factories import OrganizationFactory, application, individual_member, role_for

pytestmark = pytest.mark.django_db


def test_the_sql_lists_find_what_the_orm_selectors_find():
    applicant, billing, technical = UserFactory(), UserFactory(), UserFactory()
    acme = services.application_approve(application=application(applicant=applicant), actor=None)
    globex = services.application_approve(application=application(applicant=billing, name="Globex"), actor=None)
    initech = services.application_approve(application=application(applicant=UserFactory(), name="Initech"), actor=None)
    role_for(acme.organization, OrganizationRole.Role.BILLING, user=billing)
    role_for(acme.organization, OrganizationRole.Role.TECHNICAL, user=technical)
    role_for(globex.organization, OrganizationRole.Role.TECHNICAL, user=applicant)
    role_for(initech.organization, OrganizationRole.Role.BILLING, user=applicant)
    Membership.objects.filter(pk=initech.pk).update(status=Membership.Status.CANCELED)  # no longer due
    paid = DuesPeriod.objects.get(membership=globex)
    DuesPeriod.objects.filter(pk=paid.pk).update(paid_at=paid.starts)
    role_for(OrganizationFactory(name="Aardvark"), OrganizationRole.Role.ADMIN, user=applicant)

    for person in (applicant, billing, technical, UserFactory()):
        roles = list(selectors.roles_for_user(person))
        listed = selectors.roles_listed_read(person).fetch()
        assert [(r.pk, r.role, r.organization_id) for r in listed] == [(r.pk, r.role, r.organization_id) for r in roles]
        assert [(r.organization_name, r.organization_slug) for r in listed] == [
            (r.organization.name, r.organization.slug) for r in roles
        ]

        dues = list(selectors.unpaid_dues_for_user(person))
        payments = selectors.unpaid_dues_payments_read(person).fetch()
        assert [payment.pk for payment in payments] == [period.payment_id for period in dues]
        assert [(p.amount_display, p.get_absolute_url(), p.organization_name, p.invoice_number) for p in payments] == [
            (d.payment.amount_display, d.payment.get_absolute_url(), d.membership.organization.name, d.invoice.number)
            for d in dues
        ]
    assert len(selectors.unpaid_dues_payments_read(applicant).fetch()) == 1
    assert len(selectors.unpaid_dues_payments_read(billing).fetch()) == 1  # Globex is paid
    assert selectors.unpaid_dues_payments_read(technical).fetch() == []


def test_the_sql_applications_and_individual_membership_are_the_orm_ones():
    person, other = UserFactory(), UserFactory()
    first = application(applicant=person)
    services.application_reject(application=first, reason="Not yet", actor=None)
    application(applicant=person, name="Acme Cloud Again")
    application(applicant=other, name="Someone else")
    individual_member(user=other)

    for who in (person, other, UserFactory()):
        expected = list(selectors.applications_for_user(who))
        listed = selectors.applications_listed_read(who).fetch()
        assert [
            (a.pk, a.organization_name, a.tier_name, a.created_at, a.status, a.rejection_reason) for a in listed
        ] == [
            (a.pk, a.organization_name, a.requested_tier.name, a.created_at, a.status, a.rejection_reason)
            for a in expected
        ]
        current, shown = (
            selectors.individual_membership_for_user(who),
            next(iter(selectors.individual_membership_listed_read(who).fetch()), None),
        )
        assert (shown and shown.pk, shown and shown.get_absolute_url(), shown and shown.joined_at) == (
            current and current.pk,
            current and current.get_absolute_url(),
            current and current.joined_at,
        )
    assert len(selectors.applications_listed_read(person).fetch()) == 2
    assert [m.display_name for m in selectors.individual_membership_listed_read(other).fetch()] == ["Grace Hopper"]
