from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from portal.adoption.models import (
    DeploymentType,
    EditionAggregate,
    Industry,
    ResponseStatus,
    SurveyEdition,
    SurveyResponse,
)
from portal.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EditionFactory(factory.django.DjangoModelFactory):
    """A past, closed edition by default."""

    class Meta:
        model = SurveyEdition
        django_get_or_create = ["year"]

    year = factory.Sequence(lambda n: 1990 + n)
    opens = factory.LazyAttribute(lambda o: datetime(o.year, 6, 1, tzinfo=UTC))
    closes = factory.LazyAttribute(lambda o: datetime(o.year, 10, 1, tzinfo=UTC))


class OpenEditionFactory(EditionFactory):
    year = factory.LazyFunction(lambda: timezone.now().year)
    opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))


class ResponseFactory(factory.django.DjangoModelFactory):
    """An approved, anonymous answer."""

    class Meta:
        model = SurveyResponse

    edition = factory.SubFactory(EditionFactory)
    is_anonymous = True
    industry = Industry.TELECOM
    country = "DE"
    deployment_type = DeploymentType.PRIVATE
    projects = factory.LazyFunction(lambda: ["openstack"])
    cores = 100
    deployments = 1
    status = ResponseStatus.APPROVED


def listed_public_cloud(name: str, region: str, *, organization: str) -> dict:
    """An answer's fields naming its public cloud, listed under the organisation's name (not anonymous)."""
    return {
        "public_cloud_name": name,
        "public_cloud_region": region,
        "public_cloud_listed": True,
        "is_anonymous": False,
        "organization_name": organization,
    }


def _segment(key: str, label: str) -> dict:
    return {"key": key, "label": label, "responses": 10, "cores": 1_000_000, "suppressed": False, "reason": None}


class AggregateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditionAggregate

    edition = factory.SubFactory(EditionFactory)
    published = True
    min_segment_size = 5
    dominance_share = Decimal("0.60")
    sample_size = 10
    total_cores = 1_000_000
    total_deployments = 20
    by_industry = factory.LazyFunction(lambda: [_segment("telecom", "Telecommunications")])
    by_country = factory.LazyFunction(lambda: [_segment("DE", "Germany")])
    by_deployment_type = factory.LazyFunction(lambda: [_segment("private", "Private cloud")])
    by_project = factory.LazyFunction(lambda: [_segment("openstack", "OpenStack")])
    public_clouds = factory.LazyFunction(lambda: [{"name": "Binero", "country": "SE", "regions": ["Stockholm"]}])
