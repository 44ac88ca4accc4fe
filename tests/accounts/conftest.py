import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_groups(db):
    """The groups as the data migration makes them (again, should a flush have removed them)."""
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups()
