"""My account's organisations section is SQL (members.selectors): it finds exactly the roles and the
dues to pay that the ORM selectors find (roles_for_user, unpaid_dues_for_user)."""

import pytest

from members import selectors, services
from members.models import DuesPeriod, Membership, OrganizationRole
from tests.accounts.factories import UserFactory
from tests.members.factories import OrganizationFactory, application, role_for

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
        listed = selectors.roles_listed_for_user(person)
        assert [(r.pk, r.role, r.organization_id) for r in listed] == [(r.pk, r.role, r.organization_id) for r in roles]
        assert [(r.organization_name, r.organization_slug) for r in listed] == [
            (r.organization.name, r.organization.slug) for r in roles
        ]

        dues = list(selectors.unpaid_dues_for_user(person))
        payments = selectors.unpaid_dues_payments_for_user(person)
        assert [payment.pk for payment in payments] == [period.payment_id for period in dues]
        assert [(p.amount_display, p.get_absolute_url(), p.organization_name, p.invoice_number) for p in payments] == [
            (d.payment.amount_display, d.payment.get_absolute_url(), d.membership.organization.name, d.invoice.number)
            for d in dues
        ]
    assert len(selectors.unpaid_dues_payments_for_user(applicant)) == 1
    assert len(selectors.unpaid_dues_payments_for_user(billing)) == 1  # Globex is paid
    assert selectors.unpaid_dues_payments_for_user(technical) == []
