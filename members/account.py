"""My account: the person's membership applications, their organisations and roles, and dues they can pay."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import ModelLogEntry

from members import selectors
from members.models import IndividualMember, MembershipApplication, OrganizationRole
from portal.accounts.sections import (
    register_anonymiser,
    register_deletion_check,
    register_export,
    register_section,
)
from portal.core.reverse import reverse

BADGES = {
    MembershipApplication.Status.SUBMITTED: "info",
    MembershipApplication.Status.UNDER_REVIEW: "warning",
    MembershipApplication.Status.APPROVED: "success",
    MembershipApplication.Status.REJECTED: "danger",
}


def applications_reads(user) -> dict:
    return {"applications": selectors.applications_listed_read(user)}


def applications_section(user, applications: list[MembershipApplication]) -> dict | None:
    if not applications:
        return None
    return {
        "title": "Membership applications",
        "items": [
            {
                "label": f"{application.organization_name} · {application.tier_name}",
                "meta": (
                    f"sent {application.created_at:%d %b %Y}"
                    + (f" — {application.rejection_reason}" if application.rejection_reason else "")
                ),
                "badge": application.get_status_display(),
                "badge_kind": BADGES[MembershipApplication.Status(application.status)],
            }
            for application in applications
        ],
    }


def organizations_reads(user) -> dict:
    # Dues are paid by an organisation's admins and billing contacts: without such a role, none are found.
    return {"roles": selectors.roles_listed_read(user), "dues_payments": selectors.unpaid_dues_payments_read(user)}


def organizations_section(user, roles: list[OrganizationRole], dues_payments: list) -> dict | None:
    """One line per organisation with the person's roles there, linked to its admin pages; dues to pay."""

    if not roles:
        return None
    by_organization: dict[int, list[OrganizationRole]] = {}
    for role in roles:
        by_organization.setdefault(role.organization_id, []).append(role)
    items = [
        {
            "label": held[0].organization_name,
            "url": reverse("manage:overview", kwargs={"slug": held[0].organization_slug}),
            "badge": ", ".join(role.get_role_display() for role in held),
            "badge_kind": "neutral",
        }
        for held in by_organization.values()
    ]
    items += [
        {
            "label": f"Pay {payment.amount_display}: {payment.organization_name} dues",
            "url": payment.get_absolute_url(),
            "meta": f"invoice {payment.invoice_number}" if payment.invoice_number else "",
            "badge": "Unpaid",
            "badge_kind": "warning",
        }
        for payment in dues_payments
    ]
    return {
        "title": "Your organisations",
        "items": items,
        "actions": [{"label": "Manage your organisations", "url": reverse("manage:organizations")}],
    }


def export_applications(user) -> list[dict]:
    return [
        {
            "organization": application.organization_name,
            "tier": application.requested_tier.name,
            "status": application.status,
            "submitted_at": application.created_at.isoformat(),
            "agreement_version": application.agreement_version,
            "agreement_accepted_at": application.agreement_accepted_at.isoformat(),
            "rejection_reason": application.rejection_reason,
        }
        for application in selectors.applications_for_user(user)
    ]


def export_roles(user) -> list[dict]:
    return [{"organization": role.organization.name, "role": role.role} for role in selectors.roles_for_user(user)]


def anonymise(user) -> None:
    """Roles go; applications stay as the organisation's record, without the person's own contact details."""
    OrganizationRole.objects.filter(user=user).delete()
    MembershipApplication.objects.filter(applicant=user).update(contact_name="(removed)", contact_email="")


def deletion_blockers(user) -> list[str]:
    """An organisation is never left without an admin: its last one hands the role over first."""
    return [
        f"You are the only administrator of {organization.name}: name another on its People page "
        f"({reverse('manage:people', args=[organization.slug])}) before deleting your account."
        for organization in selectors.organizations_where_last_admin(user)
    ]


def register_account_sections() -> None:

    register_section(
        "membership_applications",
        "account/sections/list.html",
        applications_section,
        order=40,
        reads=applications_reads,
    )
    register_section(
        "organizations", "account/sections/list.html", organizations_section, order=30, reads=organizations_reads
    )
    register_export("membership_applications", export_applications)
    register_export("organization_roles", export_roles)
    register_anonymiser("members", anonymise)
    register_deletion_check("members", deletion_blockers)


# --- Individual membership ----------------------------------------------------------------


def individual_membership_reads(user) -> dict:
    return {"members": selectors.individual_membership_listed_read(user)}


def individual_membership_section(user, members: list[IndividualMember]) -> dict:
    """Shown to everyone: the way in for those who are not individual members, edit and leave for those who are."""

    member = members[0] if members else None
    if member is None:
        return {
            "title": "Individual membership",
            "empty": "You are not an individual member. Membership is free for anyone contributing to our projects.",
            "actions": [{"label": "Join as an individual member", "url": reverse("individuals:join")}],
        }
    return {
        "title": "Individual membership",
        "items": [
            {
                "label": member.display_name,
                "url": member.get_absolute_url(),
                "meta": f"member since {member.joined_at:%d %b %Y}, agreement {member.agreement_version}",
                "badge": "Individual member",
                "badge_kind": "success",
            }
        ],
        "actions": [
            {"label": "Edit your profile", "url": reverse("individuals:edit")},
            {"label": "Leave", "url": reverse("individuals:leave")},
        ],
    }


def export_individual_memberships(user) -> list[dict]:
    return [
        {
            "display_name": member.display_name,
            "profile": member.get_absolute_url(),
            "bio": member.bio,
            "affiliations": [
                {
                    "organization": affiliation.organization_name,
                    "title": affiliation.title,
                    "starts": affiliation.starts.isoformat() if affiliation.starts else None,
                    "ends": affiliation.ends.isoformat() if affiliation.ends else None,
                }
                for affiliation in member.affiliations.all()
            ],
            "projects": [project.title for project in member.projects.all()],
            "agreement_version": member.agreement_version,
            "agreement_accepted_at": member.agreement_accepted_at.isoformat(),
            "joined_at": member.joined_at.isoformat(),
            "left_at": member.left_at.isoformat() if member.left_at else None,
        }
        for member in selectors.individual_memberships_history(user)
    ]


def anonymise_individual_memberships(user) -> None:
    """A deleted account's profile goes entirely, current or past: it is the person's data, not a record.
    The audit entries stay, without the name in their label."""

    profiles = IndividualMember.objects.filter(user=user)
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(IndividualMember),
        object_id__in=[str(pk) for pk in profiles.values_list("pk", flat=True)],
    ).update(label="Individual member (removed)")
    profiles.delete()


def register_individual_sections() -> None:

    register_section(
        "individual_membership",
        "account/sections/list.html",
        individual_membership_section,
        order=35,
        reads=individual_membership_reads,
    )
    register_export("individual_memberships", export_individual_memberships)
    register_anonymiser("individual_members", anonymise_individual_memberships)
