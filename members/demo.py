"""Demo membership data: organisation admins for a few member companies, two applications in the queue and a
few individual members.

Called by portal.site.demo.load(); rows are created when missing and never rewritten (idempotent).
People are fictional; their e-mail addresses are verified so they can log in with the demo password.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from members import selectors, services
from members.models import IndividualMember, MembershipApplication, MembershipTier, Organization, OrganizationRole
from members.services import AGREEMENT_VERSION
from portal.core.tax import TaxKind, TaxMode, TaxRate, TaxRule

DEMO_PASSWORD = "openinfra-demo"  # noqa: S105 - a demo login, never used in production

# (organisation slug, first name, last name, e-mail, role)
ORGANIZATION_PEOPLE = [
    ("northwind-cloud", "Nadia", "Northcott", "nadia.northcott@northwind-cloud.example", "admin"),
    ("northwind-cloud", "Oskar", "Penhallow", "billing@northwind-cloud.example", "billing"),
    ("kestrel-telecom", "Greta", "Vossberg", "greta.vossberg@kestrel-telecom.example", "admin"),
    ("aurora-stackworks", "Marcel", "Tremblay-Quill", "marcel@aurora-stackworks.example", "admin"),
    ("orchard-automation", "Jutta", "Feldkamp", "jutta.feldkamp@orchard-automation.example", "admin"),
]

APPLICATIONS = [
    {
        "status": MembershipApplication.Status.SUBMITTED,
        "tier": "gold",
        "applicant": ("Ines", "Calloway", "ines.calloway@copperline-cloud.example"),
        "organization_name": "Copperline Cloud",
        "legal_name": "Copperline Cloud S.A.",
        "website": "https://copperline-cloud.example/",
        "description": "A sovereign public cloud for Iberian public administrations.",
        "country": "Spain",
        "industry": "cloud",
        "size": "250-999",
        "billing_address": "Calle de la Nube 12\n28001 Madrid",
        "vat_id": "ESA12345678",
        "payment_method": "bank_transfer",
        "days_ago": 2,
    },
    {
        "status": MembershipApplication.Status.UNDER_REVIEW,
        "tier": "silver",
        "applicant": ("Tobias", "Wrenfield", "tobias.wrenfield@lanternworks.example"),
        "organization_name": "Lanternworks Research",
        "legal_name": "Lanternworks Research Ltd",
        "website": "https://lanternworks.example/",
        "description": "GPU clusters on OpenStack for climate research groups.",
        "country": "United Kingdom",
        "industry": "research",
        "size": "50-249",
        "billing_address": "4 Beacon Yard\nCambridge CB1 2AB",
        "vat_id": "GB123456789",
        "payment_method": "card",
        "days_ago": 6,
    },
]


def _person(first: str, last: str, email: str):
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def ensure_organization_people() -> None:
    organizations = Organization.objects.in_bulk([slug for slug, *_ in ORGANIZATION_PEOPLE], field_name="slug")
    for slug, first, last, email, role in ORGANIZATION_PEOPLE:
        organization = organizations.get(slug)
        if organization is None:
            continue
        user = _person(first, last, email)
        OrganizationRole.objects.get_or_create(user=user, organization=organization, role=role)


def ensure_applications() -> None:
    tiers = {tier.slug: tier for tier in MembershipTier.objects.all()}
    for spec in APPLICATIONS:
        if MembershipApplication.objects.filter(organization_name=spec["organization_name"]).exists():
            continue
        first, last, email = spec["applicant"]
        applicant = _person(first, last, email)
        submitted = timezone.now() - datetime.timedelta(days=spec["days_ago"])
        MembershipApplication.objects.create(
            applicant=applicant,
            requested_tier=tiers[spec["tier"]],
            organization_slug=spec["organization_name"].lower().replace(" ", "-"),
            contact_name=f"{first} {last}",
            contact_email=email,
            billing_email=email,
            agreement_version=AGREEMENT_VERSION,
            agreement_accepted_at=submitted,
            created_at=submitted,
            status=spec["status"],
            **{key: spec[key] for key in (*services.ORGANIZATION_FIELDS, "payment_method")},
        )


def load() -> None:
    ensure_organization_people()
    ensure_applications()
    ensure_individual_members()
    ensure_tax()


# VAT rates the demo sells at (EU standard rates), and a change announced for France to show a rate by date.
VAT_RATES = [
    ("FR", "20", datetime.date(2014, 1, 1)),
    ("DE", "19", datetime.date(2021, 1, 1)),
    ("BE", "21", datetime.date(1996, 1, 1)),
]
VAT_RATES += [
    ("NL", "21", datetime.date(2012, 10, 1)),
    ("ES", "21", datetime.date(2012, 9, 1)),
    ("IT", "22", datetime.date(2013, 10, 1)),
]


def ensure_tax() -> None:
    """The rates on file, and the foundation's dues outside the scope of VAT (the default rule for dues)."""
    for country, rate, valid_from in VAT_RATES:
        TaxRate.objects.get_or_create(country=country, valid_from=valid_from, defaults={"rate": Decimal(rate)})
    TaxRule.objects.get_or_create(
        kind=TaxKind.DUES,
        is_default=True,
        defaults={"name": "Membership dues: outside the scope of VAT", "mode": TaxMode.NONE},
    )


# --- Individual members -------------------------------------------------------------------

# (first name, last name, e-mail, bio, [(organisation slug or name, title, start year, end year)], project slugs)
INDIVIDUAL_MEMBERS = [
    (
        "Amara",
        "Okonkwo",
        "amara.okonkwo@example.org",
        "Core reviewer for OpenStack networking; runs the Lagos OpenInfra user group.",
        [("northwind-cloud", "Principal engineer", 2019, None), ("Lagos Cloud Collective", "Organiser", 2016, None)],
        ["openstack"],
    ),
    (
        "Henrik",
        "Solberg",
        "henrik.solberg@example.org",
        "Works on secure container runtimes and the people who maintain them.",
        [
            ("fjordline-systems", "Staff engineer", 2021, None),
            ("Nordic University of Technology", "PhD student", 2016, 2020),
        ],
        ["kata-containers", "zuul"],
    ),
    (
        "Lucía",
        "Ferreyra",
        "lucia.ferreyra@example.org",
        "Edge computing for railways and telecoms; StarlingX release team.",
        [("Calder Rail Systems", "Edge architect", 2022, None)],
        ["starlingx"],
    ),
    (
        "Kenji",
        "Arakawa",
        "kenji.arakawa@example.org",
        "Continuous integration at scale. Zuul maintainer since its first release.",
        [("Independent", "Consultant", 2018, None)],
        ["zuul", "openstack"],
    ),
]


def ensure_individual_members() -> None:
    """Demo individual members, through the service (once per person); projects are linked when the demo's
    project pages exist already (portal.site.demo.load() builds them first)."""
    organizations = {organization.slug: organization for organization in Organization.objects.all()}
    for first, last, email, bio, affiliations, project_slugs in INDIVIDUAL_MEMBERS:
        person = _person(first, last, email)
        if IndividualMember.objects.filter(user=person).exists():
            continue
        services.individual_member_join(
            user=person,
            display_name=f"{first} {last}",
            bio=bio,
            affiliations=[
                {
                    "organization_name": "" if org in organizations else org,
                    "organization": organizations.get(org),
                    "title": title,
                    "starts": datetime.date(start, 1, 1),
                    "ends": datetime.date(end, 12, 31) if end else None,
                }
                for org, title, start, end in affiliations
            ],
            projects=list(selectors.project_choices().filter(slug__in=project_slugs)),
            agreement_accepted=True,
        )
