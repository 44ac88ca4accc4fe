"""Staff moderation in the Wagtail admin."""

import pytest
from django.contrib.auth.models import Permission

from portal.adoption.models import EditionAggregate, ResponseStatus
from tests.adoption.factories import EditionFactory, OpenEditionFactory, ResponseFactory, UserFactory

RESPONSES = "/admin/snippets/adoption/surveyresponse/"
EDITIONS = "/admin/snippets/adoption/surveyedition/"


@pytest.fixture
def staff(staff_client_factory):
    return staff_client_factory(user=UserFactory(is_staff=True, is_superuser=True)).user


@pytest.mark.django_db
def test_staff_see_pending_answers_with_approve_and_reject(client, staff):
    pending = ResponseFactory(status=ResponseStatus.PENDING, is_anonymous=False, organization_name="Kestrel Bank")
    response = client.get(RESPONSES)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kestrel Bank" in html
    assert f"{RESPONSES}approve/{pending.pk}/" in html and f"{RESPONSES}reject/{pending.pk}/" in html
    assert client.get(f"{RESPONSES}inspect/{pending.pk}/").status_code == 200
    assert client.get(f"{RESPONSES}edit/{pending.pk}/").status_code == 200


@pytest.mark.django_db
def test_approving_in_the_admin_moves_no_figure_until_staff_recompute(
    client, staff, django_capture_on_commit_callbacks
):
    edition = EditionFactory(year=2016)
    ResponseFactory.create_batch(4, edition=edition)
    pending = ResponseFactory(edition=edition, status=ResponseStatus.PENDING, cores=5)
    confirm = client.get(f"{RESPONSES}approve/{pending.pk}/")
    assert confirm.status_code == 200 and "Approve" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{RESPONSES}approve/{pending.pk}/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ResponseStatus.APPROVED and pending.moderated_by == staff
    assert not EditionAggregate.objects.filter(edition=edition).exists(), "an approval publishes nothing by itself"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{EDITIONS}recompute/{edition.pk}/")
    assert EditionAggregate.objects.get(edition=edition).total_cores == 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{RESPONSES}reject/{pending.pk}/")
    pending.refresh_from_db()
    assert pending.status == ResponseStatus.REJECTED
    assert EditionAggregate.objects.get(edition=edition).total_cores == 405, "nor does a rejection"


@pytest.mark.django_db
def test_staff_cannot_compute_the_figures_of_an_open_edition(client, staff, django_capture_on_commit_callbacks):
    edition = OpenEditionFactory()
    ResponseFactory.create_batch(5, edition=edition, cores=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{EDITIONS}recompute/{edition.pk}/", follow=True)
    assert "has not closed yet" in response.content.decode()
    assert not EditionAggregate.objects.filter(edition=edition).exists()
    assert "Computed after closing" in client.get(EDITIONS).content.decode()


@pytest.mark.django_db
def test_a_move_that_is_not_allowed_is_refused_with_a_message(client, staff):
    approved = ResponseFactory()
    response = client.post(f"{RESPONSES}approve/{approved.pk}/", follow=True)
    assert "cannot become approved" in response.content.decode()


@pytest.mark.django_db
def test_staff_recompute_an_edition(client, staff, django_capture_on_commit_callbacks):
    edition = EditionFactory(year=2015)
    ResponseFactory.create_batch(5, edition=edition, cores=3)
    listing = client.get(EDITIONS).content.decode()
    assert f"{EDITIONS}recompute/{edition.pk}/" in listing
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{EDITIONS}recompute/{edition.pk}/").status_code == 302
    assert EditionAggregate.objects.get(edition=edition).total_cores == 15
    assert "Not computed" in listing and "Not computed" not in client.get(EDITIONS).content.decode()


@pytest.mark.django_db
def test_editors_without_the_permission_cannot_moderate(client, staff_client_factory):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    staff_client_factory(user=editor)
    pending = ResponseFactory(status=ResponseStatus.PENDING)
    response = client.post(f"{RESPONSES}approve/{pending.pk}/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")  # Wagtail's "permission denied"
    pending.refresh_from_db()
    assert pending.status == ResponseStatus.PENDING


@pytest.mark.django_db
def test_visitors_cannot_reach_moderation(client):
    pending = ResponseFactory(status=ResponseStatus.PENDING)
    assert client.post(f"{RESPONSES}approve/{pending.pk}/").status_code == 302
    pending.refresh_from_db()
    assert pending.status == ResponseStatus.PENDING


@pytest.mark.django_db
def test_answers_waiting_for_a_decision_are_listed_first(client, staff):
    ResponseFactory(is_anonymous=False, organization_name="Older Approved Org")
    ResponseFactory(status=ResponseStatus.PENDING, is_anonymous=False, organization_name="Waiting Org",
                    submitted_at="2001-01-01T00:00:00Z")  # fmt: skip
    html = client.get(RESPONSES).content.decode()
    assert html.index("Waiting Org") < html.index("Older Approved Org")


@pytest.mark.django_db
def test_bulk_approval_moderates_the_selection_and_recomputes_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    edition = EditionFactory(year=2014)
    pending = ResponseFactory.create_batch(5, edition=edition, status=ResponseStatus.PENDING, cores=2)
    already = ResponseFactory(edition=edition, cores=1)
    url = "/admin/bulk/adoption/surveyresponse/approve/?" + "&".join(f"id={r.pk}" for r in [*pending, already])
    url += f"&next={RESPONSES}"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Approve these 6 survey responses?" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert set(edition.responses.values_list("status", flat=True)) == {ResponseStatus.APPROVED}
    assert not EditionAggregate.objects.filter(edition=edition).exists()
    assert "5 survey responses approved." in client.get(RESPONSES).content.decode()


@pytest.mark.django_db
def test_correcting_an_approved_answer_counts_at_the_next_recompute(client, staff, django_capture_on_commit_callbacks):
    edition = EditionFactory(year=2013)
    ResponseFactory.create_batch(4, edition=edition, cores=10)
    typo = ResponseFactory(edition=edition, cores=4_000_000, projects=["openstack", "zuul"])
    form = client.get(f"{RESPONSES}edit/{typo.pk}/").content.decode()
    assert 'type="checkbox" name="projects" value="zuul"' in form
    data = {
        "edition": edition.pk,
        "organization_name": "",
        "is_anonymous": "on",
        "industry": "telecom",
        "country": "DE",
        "deployment_type": "private",
        "projects": ["openstack", "zuul"],
        "cores": "40",
        "deployments": "1",
        "public_cloud_name": "",
        "public_cloud_region": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{RESPONSES}edit/{typo.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    typo.refresh_from_db()
    assert (typo.cores, typo.projects, typo.status) == (40, ["openstack", "zuul"], ResponseStatus.APPROVED)
    assert not EditionAggregate.objects.filter(edition=edition).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{EDITIONS}recompute/{edition.pk}/")
    assert EditionAggregate.objects.get(edition=edition).total_cores == 80
