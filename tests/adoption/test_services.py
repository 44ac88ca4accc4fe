import pytest
from wagtail.models import ModelLogEntry

from portal.adoption import selectors, services
from portal.adoption.exceptions import AlreadyAnswered, SurveyClosed, SurveyStillOpen
from portal.adoption.models import EditionAggregate, ResponseStatus, SurveyResponse
from portal.core.exceptions import InvalidTransition
from tests.adoption.factories import EditionFactory, OpenEditionFactory, ResponseFactory, UserFactory

ANSWERS = {
    "industry": "telecom",
    "country": "FI",
    "deployment_type": "private",
    "projects": ["zuul", "openstack"],
    "cores": 1200,
    "deployments": 3,
    "organization_name": "Kestrel Telecom",
}


@pytest.mark.django_db
def test_a_submitted_response_waits_for_moderation_and_is_audited():
    edition, user = OpenEditionFactory(), UserFactory()
    response = services.response_submit(edition=edition, user=user, **ANSWERS)
    assert response.status == ResponseStatus.PENDING
    assert response.projects == ["openstack", "zuul"]  # stored in the projects' canonical order
    assert ModelLogEntry.objects.filter(action="adoption.response.submit", object_id=str(response.pk)).exists()
    assert not EditionAggregate.objects.filter(edition=edition).exists(), "pending answers publish nothing"


@pytest.mark.django_db
def test_an_anonymous_answer_keeps_no_organisation_name():
    response = services.response_submit(
        edition=OpenEditionFactory(), user=UserFactory(), **{**ANSWERS, "is_anonymous": True}
    )
    assert response.is_anonymous and response.organization_name == ""


@pytest.mark.django_db
def test_a_closed_edition_refuses_answers():
    with pytest.raises(SurveyClosed):
        services.response_submit(edition=EditionFactory(year=2019), user=UserFactory(), **ANSWERS)


@pytest.mark.django_db
def test_one_live_answer_per_person_and_edition():
    edition, user = OpenEditionFactory(), UserFactory()
    first = services.response_submit(edition=edition, user=user, **ANSWERS)
    with pytest.raises(AlreadyAnswered):
        services.response_submit(edition=edition, user=user, **ANSWERS)
    services.response_reject(response=first, actor=UserFactory(is_staff=True))
    services.response_submit(edition=edition, user=user, **ANSWERS)  # a rejected answer may be replaced
    assert SurveyResponse.objects.filter(edition=edition, submitted_by=user).count() == 2


@pytest.mark.django_db
def test_approving_publishes_nothing_until_the_figures_are_computed(django_capture_on_commit_callbacks):
    edition = EditionFactory(year=2018)
    ResponseFactory.create_batch(4, edition=edition, cores=10)
    pending = ResponseFactory(edition=edition, status=ResponseStatus.PENDING, cores=1000)
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_approve(response=pending, actor=staff)
    pending.refresh_from_db()
    assert pending.status == ResponseStatus.APPROVED and pending.moderated_by == staff
    assert not EditionAggregate.objects.filter(edition=edition).exists()
    assert ModelLogEntry.objects.filter(action="adoption.response.approve", user=staff).exists()

    aggregate = services.aggregates_recompute(edition=edition, actor=staff)
    assert (aggregate.sample_size, aggregate.total_cores) == (5, 1040)
    # 1,000 of 1,040 cores are one answer's: the edition's total would be that answer, so nothing is shown.
    assert not aggregate.published and aggregate.withheld_reason == "one response makes up more than 60 % of the cores"
    assert selectors.aggregate_for_year(2018) is None

    with django_capture_on_commit_callbacks(execute=True):
        services.response_reject(response=pending, actor=staff)
    aggregate = services.aggregates_recompute(edition=edition, actor=staff)
    assert (aggregate.sample_size, aggregate.total_cores) == (4, 40)
    assert aggregate.withheld_reason == "fewer than 5 responses"
    assert selectors.aggregate_for_year(2018) is None, "fewer than 5 answers are not published"


@pytest.mark.django_db
def test_an_open_edition_cannot_be_computed_and_closed_ones_are_computed_once():
    open_edition = OpenEditionFactory()
    ResponseFactory.create_batch(5, edition=open_edition, cores=10)
    with pytest.raises(SurveyStillOpen):
        services.aggregates_recompute(edition=open_edition)
    closed = EditionFactory(year=2012)
    ResponseFactory.create_batch(5, edition=closed, cores=10)
    assert services.aggregates_compute_closed() == [2012]
    assert services.aggregates_compute_closed() == [], "computed once, not at every run"
    assert selectors.aggregate_for_year(2012).total_cores == 50
    assert not EditionAggregate.objects.filter(edition=open_edition).exists()


@pytest.mark.django_db
def test_moderation_refuses_a_move_the_table_does_not_allow():
    approved = ResponseFactory()
    with pytest.raises(InvalidTransition):
        services.response_approve(response=approved, actor=UserFactory(is_staff=True))


@pytest.mark.django_db
def test_the_task_recomputes_by_id():
    from portal.adoption.tasks import recompute_aggregates

    edition = EditionFactory(year=2017)
    ResponseFactory.create_batch(6, edition=edition, cores=7)
    assert recompute_aggregates.delay(edition.pk).get() == 6
    assert EditionAggregate.objects.get(edition=edition).total_cores == 42
    assert recompute_aggregates.delay(10_000).get() is None


@pytest.mark.django_db
def test_the_hourly_task_computes_editions_that_have_closed(settings):
    from portal.adoption.tasks import compute_closed_editions

    assert settings.CELERY_BEAT_SCHEDULE["adoption-compute-closed-editions"]["task"] == compute_closed_editions.name
    ResponseFactory.create_batch(5, edition=EditionFactory(year=2011), cores=4)
    assert compute_closed_editions.delay().get() == [2011]
    assert selectors.aggregate_for_year(2011).total_cores == 20


@pytest.mark.django_db
def test_the_rule_follows_the_settings(settings):
    settings.ADOPTION_MIN_SEGMENT = 3
    settings.ADOPTION_DOMINANCE_SHARE = 0.9
    edition = EditionFactory(year=2009)
    ResponseFactory.create_batch(3, edition=edition, cores=10)
    ResponseFactory.create_batch(3, edition=edition, cores=10, industry="finance")
    aggregate = services.aggregates_recompute(edition=edition)
    aggregate.refresh_from_db()
    assert (aggregate.min_segment_size, str(aggregate.dominance_share)) == (3, "0.90")
    assert [(s["key"], s["responses"]) for s in aggregate.by_industry] == [("finance", 3), ("telecom", 3)]
