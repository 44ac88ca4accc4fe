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


@pytest.mark.process
@pytest.mark.parametrize(("setting", "threshold"), [(None, "2"), ("0", "None")])
def test_behind_a_pooler_in_transaction_mode_prepared_statements_can_be_turned_off(setting, threshold):
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_PREPARED_STATEMENTS"}}
    db = connection.settings_dict  # the suite's own database: DATABASE_URL's may not exist (CI creates none)
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DEBUG="1", DATABASE_URL=url)
    if setting is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = setting
    code = "from django.db import connection; connection.ensure_connection(); print(connection.connection.prepare_threshold)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == threshold
