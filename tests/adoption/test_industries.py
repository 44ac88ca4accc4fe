"""One industry list: the survey and the membership application offer the same industries, and the
migration moves the survey's old stored values onto it."""

import importlib

import pytest
from django.apps import apps

from members.forms import ApplicationForm
from portal.adoption.forms import SurveyForm
from portal.adoption.models import EditionAggregate, SurveyResponse
from tests.adoption.factories import AggregateFactory, EditionFactory, ResponseFactory
from tests.members.factories import OrganizationFactory

adoption_migration = importlib.import_module("portal.adoption.migrations.0002_one_industry_list")
members_migration = importlib.import_module("members.migrations.0008_industry_shared_list")


def _offered(form) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in form.fields["industry"].choices if value]


@pytest.mark.django_db
def test_the_survey_and_the_application_offer_the_same_industries():
    survey, application = _offered(SurveyForm()), _offered(ApplicationForm())
    assert survey == application
    assert ("other", "Other") in survey
    assert ("finance", "Financial services") in survey


@pytest.mark.django_db
def test_migration_converts_the_surveys_old_industries_and_back():
    edition = EditionFactory(year=2021)
    old = ["financial", "academic", "web", "public-cloud", "telecom", "other"]
    answers = [ResponseFactory(edition=edition, industry=value) for value in old]
    AggregateFactory(
        edition=edition,
        by_industry=[
            {"key": "public-cloud", "label": "Public cloud", "responses": 9, "cores": 900},
            {"key": "telecom", "label": "Telecom", "responses": 7, "cores": 700},
            {"key": "other", "label": "Other", "responses": 3, "cores": 30},
        ],
    )

    adoption_migration.forwards(apps, None)
    stored = [SurveyResponse.objects.get(pk=answer.pk).industry for answer in answers]
    assert stored == ["finance", "research", "media", "cloud", "telecom", "other"]
    assert EditionAggregate.objects.get().by_industry == [
        {"key": "cloud", "label": "Public cloud", "responses": 9, "cores": 900},
        {"key": "telecom", "label": "Telecommunications", "responses": 7, "cores": 700},
        {"key": "other", "label": "Other", "responses": 3, "cores": 30},
    ]

    ResponseFactory(edition=edition, industry="hardware")
    adoption_migration.backwards(apps, None)
    assert sorted(SurveyResponse.objects.values_list("industry", flat=True)) == sorted(old + ["other"])
    assert EditionAggregate.objects.get().by_industry[0]["key"] == "public-cloud"


def test_going_back_adds_up_the_segments_that_meet_in_other():
    segments = [
        {"key": "hardware", "label": "Hardware and semiconductors", "responses": 6, "cores": 60},
        {"key": "other", "label": "Other", "responses": 3, "cores": 30},
        {"key": "telecom", "label": "Telecommunications", "responses": 5, "cores": 50},
    ]
    converted = adoption_migration.convert_segments(
        segments, adoption_migration.NEW_TO_OLD, dict(adoption_migration.OLD_CHOICES)
    )
    assert converted == [
        {"key": "telecom", "label": "Telecom", "responses": 5, "cores": 50},
        {"key": "other", "label": "Other", "responses": 9, "cores": 90},
    ]


@pytest.mark.django_db
def test_organisations_keep_their_industry_and_lose_other_only_when_migrating_back():
    kept, other = OrganizationFactory(industry="finance"), OrganizationFactory(industry="other")
    members_migration.other_to_blank(apps, None)
    kept.refresh_from_db()
    other.refresh_from_db()
    assert (kept.industry, other.industry) == ("finance", "")
