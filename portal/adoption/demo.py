"""Demo adoption data: the /adoption/ page and seeded, anonymised survey answers for 2020–2022.

The published figures are computed from these rows, never written as constants: about 15M cores
in 2020, 25M in 2021 and 40M+ in 2022 (≈60 % growth). Deterministic (a seeded random.Random) and
idempotent: an edition that already has responses is left alone.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from django.utils import timezone

from portal.adoption import services
from portal.adoption.models import (
    AdoptionPage,
    DeploymentType,
    Project,
    ResponseStatus,
    SurveyEdition,
    SurveyResponse,
)
from portal.core.industries import Industry

# year: (responses, total cores the sampled answers are scaled to)
EDITIONS = {2020: (140, 15_200_000), 2021: (170, 25_300_000), 2022: (210, 40_600_000)}

INDUSTRY_WEIGHTS = {
    Industry.TELECOM: 20,
    Industry.RESEARCH: 15,
    Industry.FINANCE: 12,
    Industry.MEDIA: 12,
    Industry.CLOUD: 11,
    Industry.RETAIL: 9,
    Industry.GOVERNMENT: 10,
    Industry.MANUFACTURING: 7,
    Industry.OTHER: 4,
}
# A long tail on purpose: the small countries are folded into "other" by the privacy rule.
COUNTRY_WEIGHTS = {
    "US": 18, "CN": 12, "DE": 9, "FR": 8, "IN": 7, "GB": 6, "JP": 6, "KR": 5, "BR": 5, "CH": 4,
    "SE": 4, "NL": 4, "CA": 3, "TH": 3, "ES": 2, "IT": 2, "AU": 2, "PL": 1, "FI": 1, "NZ": 1,
    "ZA": 1, "AR": 1, "VN": 1, "EE": 1,
}  # fmt: skip
DEPLOYMENT_WEIGHTS = {
    DeploymentType.PRIVATE: 55,
    DeploymentType.HYBRID: 20,
    DeploymentType.PUBLIC: 15,
    DeploymentType.EDGE: 10,
}
PROJECT_ODDS = {Project.KATA: 0.25, Project.STARLINGX: 0.1, Project.ZUUL: 0.12, Project.AIRSHIP: 0.07}

# The public clouds that joined in 2022 and agreed to be listed.
NEW_PUBLIC_CLOUDS = [
    ("Binero", "SE", "Stockholm"),
    ("Cloudfire", "NL", "Amsterdam"),
    ("Infomaniak", "CH", "Geneva"),
    ("NIPA Cloud", "TH", "Bangkok"),
    ("OROCK Technologies", "US", "Reston, Virginia"),
]

NAME_FIRST = ["Northwind", "Bluefjord", "Meridian", "Kestrel", "Quillon", "Harbourline", "Tessera", "Larchmont"]
NAME_SECOND = ["Telecom", "Bank", "Research Institute", "Retail Group", "Energy", "Media", "Logistics", "University"]


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _answers(rng: random.Random, year: int, count: int, total_cores: int) -> list[SurveyResponse]:
    """`count` answers whose cores add up to `total_cores` (long-tailed, as real deployments are)."""
    edition = SurveyEdition.objects.get(year=year)
    weights = [rng.lognormvariate(0, 1.3) for _ in range(count)]
    scale = total_cores / sum(weights)
    cores = [max(int(weight * scale), 64) for weight in weights]
    cores[max(range(count), key=cores.__getitem__)] += total_cores - sum(cores)  # exact total, on the largest
    rows = []
    clouds = NEW_PUBLIC_CLOUDS if year == 2022 else []
    for index in range(count):
        industry = _pick(rng, INDUSTRY_WEIGHTS)
        deployment = _pick(rng, DEPLOYMENT_WEIGHTS)
        country = _pick(rng, COUNTRY_WEIGHTS)
        cloud_name = cloud_region = ""
        listed = False
        if index < len(clouds):
            cloud_name, country, cloud_region = clouds[index]
            industry, deployment, listed = Industry.CLOUD, DeploymentType.PUBLIC, True
        projects = [Project.OPENSTACK] if rng.random() < 0.96 else []
        projects += [slug for slug, odds in PROJECT_ODDS.items() if rng.random() < odds]
        anonymous = not listed and rng.random() < 0.6
        name = cloud_name or ("" if anonymous else f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)} (demo)")
        rows.append(
            SurveyResponse(
                edition=edition,
                organization_name=name,
                is_anonymous=anonymous,
                industry=industry,
                country=country,
                deployment_type=deployment,
                projects=[str(slug) for slug in (projects or [Project.OPENSTACK])],
                cores=cores[index],
                deployments=rng.randint(1, 12),
                public_cloud_name=cloud_name,
                public_cloud_region=cloud_region,
                public_cloud_listed=listed,
                status=ResponseStatus.APPROVED,
                submitted_at=datetime(year, 7, 1, 12, tzinfo=UTC),
                moderated_at=datetime(year, 10, 15, 12, tzinfo=UTC),
            )
        )
    return rows


def ensure_page(home_page) -> AdoptionPage:
    page = AdoptionPage.objects.first()
    if page is None:
        page = AdoptionPage(
            title="Adoption",
            slug="adoption",
            seo_title="Adoption of open infrastructure — user survey results",
            search_description="OpenStack manages more than 40 million cores in production. User survey results by year, industry and deployment type.",
            intro=(
                "<p>Every year the foundation's user survey asks the people who run open infrastructure how they use it. "
                "Existing users are increasing their footprint, and there are many new users.</p>"
            ),
            survey_intro="<p>Tell us how you run open infrastructure: it takes five minutes and helps the whole community.</p>",
        )
        home_page.add_child(instance=page)
        page.save_revision().publish()
    return page


def ensure_editions() -> None:
    for year in EDITIONS:
        SurveyEdition.objects.get_or_create(
            year=year,
            defaults={"opens": datetime(year, 6, 1, tzinfo=UTC), "closes": datetime(year, 10, 1, tzinfo=UTC)},
        )
    # This year's edition is open, so the survey form can be tried out.
    year = timezone.now().year
    if year > max(EDITIONS):
        SurveyEdition.objects.get_or_create(
            year=year,
            defaults={"opens": datetime(year, 1, 1, tzinfo=UTC), "closes": datetime(year + 1, 1, 1, tzinfo=UTC)},
        )


def load(home_page) -> AdoptionPage:
    """The adoption page, three seeded editions and their computed figures. Safe to run again."""
    page = ensure_page(home_page)
    ensure_editions()
    for year, (count, total_cores) in EDITIONS.items():
        edition = SurveyEdition.objects.get(year=year)
        if edition.responses.exists():
            continue
        rng = random.Random(f"guildhall-adoption-{year}")  # noqa: S311 - demo data, not security
        SurveyResponse.objects.bulk_create(_answers(rng, year, count, total_cores))
    # The closed editions' figures, as the hourly task would compute them (none are computed twice).
    services.aggregates_compute_closed()
    return page
