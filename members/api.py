"""/api/v1/tiers/ and /api/v1/members/: the membership tiers and the current member organisations.

PATCH /api/v1/members/<slug>/ lets that organisation's admins, signed in (session and CSRF token), change
its public profile through the same service as the member admin pages.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from members.manage.exceptions import NotAllowed
from members.manage.selectors import organization_for_user
from members.manage.services import PROFILE_FIELDS, organization_profile_update
from members.models import Industry, MembershipTier, Organization, OrganizationRole
from members.selectors import members_for_directory, tiers_with_seats
from portal.api.authentication import request_token
from portal.api.filters import CountryFilter, StrictFilterBackend
from portal.api.http import PublicEndpointMixin
from portal.api.routers import router
from portal.api.serializers import CountryCodeField, ErrorSerializer


class TierSerializer(serializers.ModelSerializer):
    benefits = serializers.ListField(source="benefit_list", child=serializers.CharField())
    members_count = serializers.IntegerField(help_text="Organisations holding this tier today.")
    seats_left = serializers.IntegerField(allow_null=True, help_text="Free seats; null when the tier has no limit.")

    class Meta:
        model = MembershipTier
        fields = [
            "slug",
            "name",
            "rank",
            "annual_fee",
            "currency",
            "description",
            "benefits",
            "seat_limit",
            "board_seat",
            "members_count",
            "seats_left",
        ]


class MemberTierSerializer(serializers.Serializer):
    slug = serializers.CharField(source="tier_slug")
    name = serializers.CharField(source="tier_name")
    rank = serializers.IntegerField(source="tier_rank")


class MemberSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The organisation's page in the member directory.")
    logo = serializers.SerializerMethodField(help_text="Absolute URL of the logo (often SVG), or null.")
    country_code = CountryCodeField()
    industry_label = serializers.CharField(source="get_industry_display")
    tier = MemberTierSerializer(source="*")

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "url",
            "website",
            "description",
            "country",
            "country_code",
            "industry",
            "industry_label",
            "logo",
            "tier",
        ]

    def get_url(self, organization) -> str:
        # The URL map (README) fixes /members/<slug>/ as the directory's route for a company.
        return self.context["request"].build_absolute_uri(f"/members/{organization.slug}/")

    def get_logo(self, organization) -> str | None:
        if not organization.logo:
            return None
        return self.context["request"].build_absolute_uri(organization.logo.url)


class MemberFilter(django_filters.FilterSet):
    tier = django_filters.CharFilter(field_name="tier_slug", help_text="A tier's slug, e.g. platinum.")
    country = CountryFilter()
    country_code = CountryFilter()
    industry = django_filters.ChoiceFilter(choices=Industry.choices)

    class Meta:
        model = Organization
        fields = ["tier", "country", "country_code", "industry"]


@extend_schema_view(
    list=extend_schema(summary="Membership tiers, highest first"),
    retrieve=extend_schema(summary="One membership tier", responses={200: TierSerializer, 404: ErrorSerializer}),
)
class TierViewSet(PublicEndpointMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TierSerializer
    lookup_field = "slug"
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return tiers_with_seats()


class MemberProfileSerializer(serializers.ModelSerializer):
    """The public profile an organisation's admins change (PATCH: send only the fields that change)."""

    url = serializers.SerializerMethodField(help_text="The organisation's page in the member directory.")

    class Meta:
        model = Organization
        fields = ["slug", "url", *PROFILE_FIELDS]
        read_only_fields = ["slug"]

    def get_url(self, organization) -> str:
        return self.context["request"].build_absolute_uri(f"/members/{organization.slug}/")


class SignedInPerson(permissions.BasePermission):
    """A person signed in with the session; API tokens act for tools, never for an organisation's people."""

    message = "Log in to change a member's profile: API tokens cannot."

    def has_permission(self, request, view) -> bool:
        return request_token(request) is None and bool(request.user and request.user.is_authenticated)


@extend_schema_view(
    list=extend_schema(summary="Current member organisations, by tier rank then name"),
    retrieve=extend_schema(
        summary="One current member organisation", responses={200: MemberSerializer, 404: ErrorSerializer}
    ),
)
class MemberViewSet(PublicEndpointMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MemberSerializer
    lookup_field = "slug"
    filter_backends = [StrictFilterBackend]
    filterset_class = MemberFilter

    def get_queryset(self):
        return members_for_directory()

    def get_permissions(self):
        if self.action == "partial_update":
            return [SignedInPerson()]
        return super().get_permissions()

    @extend_schema(
        summary="Change an organisation's public profile (its administrators, signed in)",
        description="Session authentication with a CSRF token. A person with no role in the organisation gets "
        "404; one without the administrator role, or an API token, 403.",
        request=MemberProfileSerializer,
        responses={200: MemberProfileSerializer},
    )
    def partial_update(self, request, slug=None):
        organization = organization_for_user(request.user, slug)
        if OrganizationRole.Role.ADMIN not in organization.user_roles:
            raise NotAllowed(f"Only {organization.name}'s administrators can change its profile through the API.")
        serializer = MemberProfileSerializer(
            organization, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        updated = organization_profile_update(
            organization=organization, actor=request.user, data=dict(serializer.validated_data)
        )
        return Response(MemberProfileSerializer(updated, context={"request": request}).data)


router.register("tiers", TierViewSet, basename="tier")
router.register("members", MemberViewSet, basename="member")
