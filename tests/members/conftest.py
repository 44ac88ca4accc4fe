import pytest


@pytest.fixture
def membership_staff(staff_groups):
    """A member of the Membership staff group (log in with staff_client_factory: the admin needs a second factor)."""
    from portal.accounts.groups import MEMBERSHIP_STAFF
    from tests.accounts.factories import UserFactory

    return UserFactory(email="membership@openinfra.example", groups=[MEMBERSHIP_STAFF], is_staff=True)
