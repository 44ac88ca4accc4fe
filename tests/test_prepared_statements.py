"""On PostgreSQL, a connection prepares the statements it runs again: they are planned once, not per request.

(PostgreSQL plans a statement again by itself when a migration changes a table it reads.)
"""

import pytest
from django.db import connection

from members.manage.selectors import organization_for_user
from members.models import OrganizationRole
from tests.members.factories import OrganizationFactory, role_for

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_statement_run_twice_on_a_connection_is_prepared_and_serves_other_values():
    first = OrganizationFactory(slug="acme")
    second = OrganizationFactory(slug="globex")
    person = role_for(first, OrganizationRole.Role.ADMIN)
    role_for(second, OrganizationRole.Role.BILLING, user=person)
    before = _prepared()
    for _ in range(3):
        assert organization_for_user(person, "acme") == first
    assert organization_for_user(person, "globex").user_roles == {OrganizationRole.Role.BILLING}
    new = [sql for sql in _prepared() - before if "members_organizationrole r" in sql]
    assert len(new) == 1, new


def test_a_prepared_statement_keeps_working_when_a_migration_adds_a_column_to_its_table():
    organization = OrganizationFactory(slug="acme")
    person = role_for(organization, OrganizationRole.Role.ADMIN)
    for _ in range(3):
        organization_for_user(person, "acme")  # `SELECT org.*`, prepared
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE members_organization ADD COLUMN added_by_a_later_migration integer")
    assert organization_for_user(person, "acme") == organization
