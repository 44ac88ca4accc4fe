import pytest


@pytest.fixture
def staff_groups(db):
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups()


@pytest.fixture
def membership_staff(staff_groups):
    from portal.accounts.groups import MEMBERSHIP_STAFF
    from tests.accounts.factories import UserFactory

    return UserFactory(email="membership@openinfra.example", groups=[MEMBERSHIP_STAFF], is_staff=True)
