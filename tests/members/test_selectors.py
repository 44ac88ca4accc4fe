import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from members.models import Membership, Organization
from members.selectors import (
    directory_by_tier,
    members_for_directory,
    organization_for_directory,
    tiers_with_seats,
)
from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, member

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def test_directory_lists_only_organisations_with_an_active_membership_today():
    gold = MembershipTierFactory(name="Gold", rank=2)
    shown = member(gold, name="Current Co")
    ended = OrganizationFactory(name="Ended Co")
    MembershipFactory(organization=ended, tier=gold, ends=datetime.date(2026, 5, 31))
    future = OrganizationFactory(name="Future Co")
    MembershipFactory(organization=future, tier=gold, starts=datetime.date(2026, 6, 2))
    pending = OrganizationFactory(name="Pending Co")
    MembershipFactory(organization=pending, tier=gold, status=Membership.Status.APPROVED)
    last_day = OrganizationFactory(name="Last Day Co")
    MembershipFactory(organization=last_day, tier=gold, ends=TODAY)

    names = [o.name for o in members_for_directory(today=TODAY)]

    assert names == ["Current Co", "Last Day Co"]
    assert shown.pk in {o.pk for o in members_for_directory(today=TODAY)}


def test_directory_orders_by_tier_rank_then_name_and_the_highest_tier_wins():
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", rank=1)
    silver = MembershipTierFactory(name="Silver", slug="silver", rank=3)
    member(silver, name="Alpha")
    member(platinum, name="Zulu")
    member(platinum, name="Bravo")
    both = member(silver, name="Both")
    MembershipFactory(organization=both, tier=platinum)

    organizations = list(members_for_directory(today=TODAY))

    assert [(o.name, o.tier_name) for o in organizations] == [
        ("Both", "Platinum"),
        ("Bravo", "Platinum"),
        ("Zulu", "Platinum"),
        ("Alpha", "Silver"),
    ]
    groups = directory_by_tier(organizations)
    assert [(g.tier.name, len(g.organizations)) for g in groups] == [("Platinum", 3), ("Silver", 1)]


def test_directory_filters_by_tier_country_and_industry():
    gold = MembershipTierFactory(slug="gold")
    silver = MembershipTierFactory(slug="silver")
    member(gold, name="Berlin Cloud", country="Germany", industry="cloud")
    member(silver, name="Paris Shop", country="France", industry="retail")

    assert [o.name for o in members_for_directory(tier="gold", today=TODAY)] == ["Berlin Cloud"]
    assert [o.name for o in members_for_directory(country="France", today=TODAY)] == ["Paris Shop"]
    assert [o.name for o in members_for_directory(industry="cloud", today=TODAY)] == ["Berlin Cloud"]


def test_a_former_member_has_no_public_page():
    tier = MembershipTierFactory()
    former = OrganizationFactory()
    MembershipFactory(organization=former, tier=tier, ends=datetime.date(2020, 12, 31))
    with pytest.raises(Http404):
        organization_for_directory(former.slug, today=TODAY)


def test_tiers_count_their_active_members_against_the_seat_limit():
    platinum = MembershipTierFactory(seat_limit=8)
    member(platinum)
    member(platinum)
    MembershipFactory(tier=platinum, status=Membership.Status.LAPSED)

    tier = tiers_with_seats(today=TODAY).get(pk=platinum.pk)

    assert tier.members_count == 2
    assert tier.seats_left == 6


@pytest.mark.parametrize("slug", ["manage", "individuals", "apply", "Manage"])
def test_organisation_slugs_may_not_shadow_the_sites_routes(slug):
    organization = Organization(name="Sneaky", slug=slug)
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert "slug" in error.value.message_dict


def test_a_membership_cannot_end_before_it_starts():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MembershipFactory(starts=datetime.date(2024, 1, 1), ends=datetime.date(2023, 1, 1))
