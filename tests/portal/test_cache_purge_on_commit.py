"""A change purges the page cache (and forgets site data and people's kinds of header) again when it
commits: what another process reads between the change and its commit (the rows as they were) is not
served after it."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import transaction
from django.test import Client

from portal.accounts.groups import CONTENT_EDITORS
from portal.core import cache
from portal.site.snippets import FooterLink
from tests.accounts.factories import UserFactory
from tests.concurrency import run_at_once
from tests.members.factories import MembershipTierFactory, member
from tests.portal.factories import directory


def _visit_from_another_process(path: str, client: Client | None = None) -> str:
    """A visitor served by another process, on its own database connection, while the change is open."""
    [page] = run_at_once(lambda: (client or Client()).get(path).content.decode(), [()])
    if isinstance(page, Exception):
        raise page
    return page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_directory_rendered_while_a_new_member_is_being_saved_is_not_served_once_it_is_saved(site_with_home):
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    member(gold, name="First Co")
    directory(site_with_home).save_revision().publish()
    assert "First Co" in Client().get("/members/").content.decode()

    with transaction.atomic():
        member(gold, name="Second Co")
        during = _visit_from_another_process("/members/")
        assert "First Co" in during and "Second Co" not in during, "the other process reads the committed rows"

    assert "Second Co" in Client().get("/members/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_footer_read_while_a_link_is_being_saved_is_not_kept_once_it_is_saved(site_with_home):
    assert "Code of conduct" not in Client().get("/").content.decode()

    with transaction.atomic():
        FooterLink.objects.create(label="Code of conduct", url="https://example.org/coc/")
        assert "Code of conduct" not in _visit_from_another_process("/")

    assert "Code of conduct" in Client().get("/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_person_loading_a_page_while_being_made_staff_sees_the_admin_link_once_that_is_saved(
    site_with_home, staff_groups
):
    def admin_link(page: str) -> bool:
        return "Admin" in BeautifulSoup(page, "html.parser").find("nav", attrs={"aria-label": "Main"}).get_text()

    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert not admin_link(client.get("/accounts/").content.decode())

    with transaction.atomic():
        person.groups.add(Group.objects.get(name=CONTENT_EDITORS))
        assert not admin_link(_visit_from_another_process("/accounts/", client)), "the committed rows"

    assert admin_link(client.get("/accounts/").content.decode())


@pytest.mark.django_db(transaction=True)
def test_a_transaction_s_changes_purge_once_more_when_it_commits_and_not_when_it_rolls_back(site_with_home):
    store = caches["default"]
    cache.purge()
    start = store.get(cache.GENERATION_KEY)
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)  # saved on its own: purged at once
    assert store.get(cache.GENERATION_KEY) == start + 1

    with transaction.atomic():
        member(gold, name="First Co")
        member(gold, name="Second Co")
        during = store.get(cache.GENERATION_KEY)
        assert during > start + 1, "purged at once, for this process's own reads"
    assert store.get(cache.GENERATION_KEY) == during + 1, "and once more at the commit, not once per change"

    with pytest.raises(RuntimeError), transaction.atomic():
        member(gold, name="Third Co")
        during = store.get(cache.GENERATION_KEY)
        raise RuntimeError
    assert store.get(cache.GENERATION_KEY) == during, "nothing more after a rollback"
