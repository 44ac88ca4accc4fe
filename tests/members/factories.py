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


def application_data(name: str = "Acme Cloud", **overrides) -> dict:
    """What an applicant fills in on /join/apply/ (minus tier, logo and the agreement box)."""
    data = {
        "organization_name": name,
        "legal_name": f"{name} GmbH",
        "website": "https://acme.example/",
        "description": "Runs a public OpenStack cloud.",
        "country": "Germany",
        "industry": "cloud",
        "size": "50-249",
        "billing_address": "Hauptstraße 1\n10115 Berlin",
        "vat_id": "DE123456789",
        "contact_name": "Ada Lovelace",
        "contact_email": "ada@acme.example",
        "billing_email": "billing@acme.example",
        "technical_email": "",
        "marketing_email": "",
        "payment_method": "card",
    }
    data.update(overrides)
    return data


def application(*, applicant=None, tier=None, name: str = "Acme Cloud", **overrides):
    """A submitted application, through the service."""
    from members import services
    from tests.accounts.factories import UserFactory

    return services.application_submit(
        applicant=applicant or UserFactory(),
        tier=tier or MembershipTierFactory(),
        data=application_data(name, **overrides),
        agreement_accepted=True,
    )


def individual_member(*, user=None, name: str = "Grace Hopper", affiliations=(), projects=(), bio: str = ""):
    """A current individual member, joined through the service; affiliations as (organisation, title) pairs."""
    from members import services
    from tests.accounts.factories import UserFactory

    return services.individual_member_join(
        user=user or UserFactory(),
        display_name=name,
        bio=bio,
        affiliations=[{"organization_name": org, "title": title} for org, title in affiliations],
        projects=projects,
        agreement_accepted=True,
    )


# --- Member admin pages (members/manage/) ---------------------------------------------------------


def role_for(organization, role: str, user=None):
    """A person (a new one unless given) holding `role` for `organization`."""
    from members.models import OrganizationRole
    from tests.accounts.factories import UserFactory

    user = user or UserFactory()
    OrganizationRole.objects.create(user=user, organization=organization, role=role)
    return user
