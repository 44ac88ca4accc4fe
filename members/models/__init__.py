"""The membership app's models, one module per subject; import them from here."""

from members.models.individuals import INDIVIDUAL_RESERVED_SLUGS, IndividualAffiliation, IndividualMember
from members.models.invitations import OrganizationInvitation
from members.models.memberships import (
    DuesCredit,
    DuesPeriod,
    DuesReminder,
    Membership,
    MembershipApplication,
    TierChangeRequest,
)
from members.models.organizations import (
    RESERVED_SLUGS,
    Industry,
    MembershipTier,
    Organization,
    OrganizationRole,
    OrganizationSize,
    TierWaitlistEntry,
    logo_upload_to,
    validate_not_reserved_slug,
)
from members.uploads import validate_logo, validate_svg_logo  # validate_svg_logo: migration 0001

__all__ = [
    "INDIVIDUAL_RESERVED_SLUGS",
    "RESERVED_SLUGS",
    "DuesCredit",
    "DuesPeriod",
    "DuesReminder",
    "Industry",
    "IndividualAffiliation",
    "IndividualMember",
    "Membership",
    "MembershipApplication",
    "MembershipTier",
    "Organization",
    "OrganizationInvitation",
    "OrganizationRole",
    "OrganizationSize",
    "TierChangeRequest",
    "TierWaitlistEntry",
    "logo_upload_to",
    "validate_logo",
    "validate_not_reserved_slug",
    "validate_svg_logo",
]
