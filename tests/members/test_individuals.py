"""Individual members join with a public profile, are found by name and affiliation, and leave."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from members import services
from members.exceptions import MembershipError
from members.models import IndividualMember
from portal.accounts import services as account_services
from tests.accounts.factories import UserFactory
from tests.members.factories import MembershipTierFactory, individual_member, member
from tests.portal.factories import directory, project, project_index

pytestmark = pytest.mark.django_db
LIST = "/members/individuals/"


@pytest.fixture
def site(site_with_home):
    directory(site_with_home).save_revision().publish()
    return site_with_home


def _names(client, **query) -> list[str]:
    response = client.get(LIST, query)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in soup.select("main .card__title a")]


def _join_form(**overrides) -> dict:
    data = {
        "display_name": "Grace Hopper",
        "bio": "Compilers, mostly.",
        "agreement": "on",
        "affiliations-TOTAL_FORMS": "1",
        "affiliations-INITIAL_FORMS": "0",
        "affiliations-MIN_NUM_FORMS": "0",
        "affiliations-MAX_NUM_FORMS": "10",
        "affiliations-0-organization_name": "Remington Rand",
        "affiliations-0-title": "Senior mathematician",
        "affiliations-0-starts": "1949-01-01",
    }
    data.update(overrides)
    return data


def test_4_a_member_who_joins_is_found_by_name_and_by_affiliation_and_leaving_removes_them(
    site, client, django_capture_on_commit_callbacks
):
    person = UserFactory(first_name="Grace", last_name="Hopper")
    individual_member(name="Ada Lovelace", affiliations=[("Analytical Engines Ltd", "Programmer")])
    client.force_login(person)
    visitor = client.__class__()
    assert _names(visitor) == ["Ada Lovelace"]  # cached for visitors: joining must purge it
    with django_capture_on_commit_callbacks(execute=True):
        joined = client.post("/members/individuals/join/", _join_form())
    assert joined.status_code == 302 and joined.url == "/members/individuals/grace-hopper/"
    profile = client.get(joined.url).content.decode()
    assert "Grace Hopper" in profile and "Senior mathematician, Remington Rand" in profile

    assert _names(visitor) == ["Ada Lovelace", "Grace Hopper"]
    assert _names(visitor, q="hopper") == ["Grace Hopper"]  # by name, any case
    assert _names(visitor, q="remington") == ["Grace Hopper"]  # by affiliation
    assert _names(visitor, q="engines") == ["Ada Lovelace"]
    assert _names(visitor, q="nobody") == []

    assert client.get("/members/individuals/leave/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/members/individuals/leave/").status_code == 302
    assert _names(visitor) == ["Ada Lovelace"]
    assert _names(visitor, q="remington") == []
    assert visitor.get("/members/individuals/grace-hopper/").status_code == 404
    left = IndividualMember.objects.get(user=person)
    assert left.left_at is not None  # the row stays, for history


def test_4_someone_not_signed_in_is_sent_to_log_in_to_join(site, client):
    for path in ("/members/individuals/join/", "/members/individuals/edit/", "/members/individuals/leave/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == f"/accounts/login/?next={path}"
    assert client.post("/members/individuals/join/", _join_form()).status_code == 302
    assert not IndividualMember.objects.exists()


def test_4_someone_signed_in_but_not_a_member_is_sent_to_join_from_edit_and_leave(site, client):
    client.force_login(UserFactory())
    for path in ("/members/individuals/edit/", "/members/individuals/leave/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/members/individuals/join/"


def test_4_the_lists_query_count_is_the_same_for_5_and_50_members(site, client):
    index = project_index(site)
    projects = [project(index, n) for n in range(3)]
    company = member(MembershipTierFactory(), name="Acme Cloud")

    client.force_login(UserFactory())  # signed in: past the visitors' page cache

    def count_queries() -> int:
        client.get(LIST)  # warm the site chrome's caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for i in range(n):
            joined = individual_member(
                name=f"Person {i:03d}", affiliations=[("Acme Cloud", "Engineer")], projects=projects
            )
            joined.affiliations.update(organization=company)

    add(5)
    few = count_queries()
    IndividualMember.objects.all().delete()
    add(50)
    many = count_queries()
    assert few == many, (few, many)
    assert len(_names(client)) == 24 and _names(client, page=3) == ["Person 048", "Person 049"]  # 24 a page


def test_the_agreement_is_required_and_its_version_and_time_are_kept(site, client):
    client.force_login(UserFactory())
    refused = client.post("/members/individuals/join/", _join_form(agreement=""))
    assert refused.status_code == 400 and "field--error" in refused.content.decode()
    assert not IndividualMember.objects.exists()
    client.post("/members/individuals/join/", _join_form())
    joined = IndividualMember.objects.get()
    assert joined.agreement_version == services.INDIVIDUAL_AGREEMENT_VERSION and joined.agreement_accepted_at
    assert ModelLogEntry.objects.filter(action="guildhall.individual_member.join").count() == 1
    # Joining twice sends the person to their profile's edit page.
    again = client.get("/members/individuals/join/")
    assert again.status_code == 302 and again.url == "/members/individuals/edit/"


def test_an_affiliation_ending_before_it_starts_is_refused(site, client):
    client.force_login(UserFactory())
    response = client.post("/members/individuals/join/", _join_form(**{"affiliations-0-ends": "1948-01-01"}))
    assert response.status_code == 400 and "The end comes before the start." in response.content.decode()
    with pytest.raises(MembershipError, match="ends before it starts"):
        services.individual_member_join(
            user=UserFactory(),
            display_name="X",
            affiliations=[
                {"organization_name": "Y", "starts": datetime.date(2020, 1, 1), "ends": datetime.date(2019, 1, 1)}
            ],
            agreement_accepted=True,
        )


def test_editing_the_profile_changes_what_the_public_sees(site, client):
    index = project_index(site)
    nova = project(index, 1, title="Nova")
    person = UserFactory()
    joined = individual_member(user=person, name="Grace Hopper", affiliations=[("Remington Rand", "Mathematician")])
    company = member(MembershipTierFactory(), name="Acme Cloud", slug="acme-cloud")
    client.force_login(person)
    form = client.get("/members/individuals/edit/").content.decode()
    assert 'value="Remington Rand"' in form
    response = client.post(
        "/members/individuals/edit/",
        {
            "display_name": "Grace B. Hopper",
            "bio": "COBOL.",
            "projects": [nova.pk],
            "affiliations-TOTAL_FORMS": "2",
            "affiliations-INITIAL_FORMS": "1",
            "affiliations-MIN_NUM_FORMS": "0",
            "affiliations-MAX_NUM_FORMS": "10",
            "affiliations-0-organization_name": "Remington Rand",
            "affiliations-0-title": "Mathematician",
            "affiliations-0-DELETE": "on",
            "affiliations-1-organization": company.pk,
            "affiliations-1-title": "Admiral of code",
        },
    )
    assert response.status_code == 302 and response.url == joined.get_absolute_url()  # the address stays
    soup = BeautifulSoup(client.get(response.url).content, "html.parser")
    assert soup.h1.get_text() == "Grace B. Hopper"
    text = soup.main.get_text(" ", strip=True)
    assert "Admiral of code, Acme Cloud" in text and "Remington Rand" not in text
    assert soup.find("a", string="Acme Cloud")["href"] == "/members/acme-cloud/"
    assert soup.find("a", string="Nova")["href"] == nova.url
    assert ModelLogEntry.objects.filter(action="guildhall.individual_member.update").count() == 1


def test_a_person_who_left_can_join_again_and_keeps_their_address(site):
    person = UserFactory()
    first = individual_member(user=person, name="Grace Hopper")
    services.individual_member_leave(member=first, actor=person)
    again = individual_member(user=person, name="Grace Hopper")
    assert again.pk != first.pk and again.slug == first.slug == "grace-hopper"
    assert IndividualMember.objects.filter(user=person).count() == 2
    with pytest.raises(MembershipError, match="already"):
        individual_member(user=person)


def test_two_people_of_the_same_name_get_two_addresses_and_reserved_words_are_avoided():
    assert individual_member(name="Grace Hopper").slug == "grace-hopper"
    assert individual_member(name="Grace Hopper").slug == "grace-hopper-2"
    assert individual_member(name="Join").slug == "join-2"


def test_my_account_offers_joining_then_editing_and_leaving(site, client):
    person = UserFactory()
    client.force_login(person)
    page = client.get("/accounts/").content.decode()
    assert "Individual membership" in page and 'href="/members/individuals/join/"' in page
    individual_member(user=person, name="Grace Hopper")
    page = client.get("/accounts/").content.decode()
    assert 'href="/members/individuals/edit/"' in page and 'href="/members/individuals/leave/"' in page
    assert 'href="/members/individuals/grace-hopper/"' in page


def test_the_export_holds_the_profile_and_deleting_the_account_removes_it(site, client):
    person = UserFactory()
    joined = individual_member(user=person, name="Grace Hopper", affiliations=[("Remington Rand", "Mathematician")])
    client.force_login(person)
    export = client.get("/accounts/export/").json()["individual_memberships"]
    assert export[0]["display_name"] == "Grace Hopper"
    assert export[0]["affiliations"][0]["organization"] == "Remington Rand"
    account_services.user_anonymise(user=person, actor=person)
    assert not IndividualMember.objects.exists()
    assert client.__class__().get(joined.get_absolute_url()).status_code == 404
    labels = ModelLogEntry.objects.filter(action="guildhall.individual_member.join").values_list("label", flat=True)
    assert list(labels) == ["Individual member (removed)"]


def test_membership_staff_read_and_search_individual_members_in_the_admin(membership_staff, staff_client_factory):
    grace = individual_member(name="Grace Hopper", affiliations=[("Remington Rand", "Mathematician")])
    individual_member(name="Katherine Johnson")
    staff = staff_client_factory(user=membership_staff)
    listing = staff.get("/admin/snippets/members/individualmember/", {"q": "remington"}).content.decode()
    assert "Grace Hopper" in listing and "Katherine Johnson" not in listing
    assert staff.get(f"/admin/snippets/members/individualmember/inspect/{grace.pk}/").status_code == 200
    edit = staff.get(f"/admin/snippets/members/individualmember/edit/{grace.pk}/", follow=True)
    assert edit.status_code == 403 or b"you do not have permission" in edit.content.lower()
