import pytest

from portal.accounts.groups import EVENTS_STAFF


@pytest.fixture
def events_staff(staff_groups, staff_client_factory):
    """A client signed in as Events staff, with the second factor the admin asks for."""
    return staff_client_factory(groups=[EVENTS_STAFF])
