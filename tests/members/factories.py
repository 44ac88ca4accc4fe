import datetime
from decimal import Decimal

import factory

from members.models import Membership, MembershipTier, Organization


class MembershipTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipTier

    name = factory.Sequence(lambda n: f"Tier {n}")
    slug = factory.Sequence(lambda n: f"tier-{n}")
    rank = factory.Sequence(lambda n: n + 1)
    annual_fee = Decimal("1000.00")
    currency = "USD"
    benefits = "Logo on the website\nTwo summit passes"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Example Company {n:04d}")
    slug = factory.Sequence(lambda n: f"example-company-{n:04d}")
    website = factory.LazyAttribute(lambda o: f"https://{o.slug}.example/")
    description = "Builds open infrastructure."
    country = "Germany"
    industry = "cloud"
    logo = factory.django.FileField(filename="logo.svg", data=b'<svg xmlns="http://www.w3.org/2000/svg"/>')


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    tier = factory.SubFactory(MembershipTierFactory)
    starts = datetime.date(2020, 1, 1)
    ends = None
    status = Membership.Status.ACTIVE


def member(tier, **organization_fields) -> Organization:
    """An organisation with an active membership at `tier`."""
    organization = OrganizationFactory(**organization_fields)
    MembershipFactory(organization=organization, tier=tier)
    return organization
