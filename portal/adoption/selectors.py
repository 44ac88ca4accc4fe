"""Reads of adoption data. Public readers get aggregates only, never raw responses."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from portal.adoption.models import AdoptionPage, EditionAggregate, ResponseStatus, SurveyEdition, SurveyResponse


def published_aggregates(now=None) -> QuerySet[EditionAggregate]:
    """Aggregates fit to publish: of a closed edition, computed under the disclosure rule, which allowed them.

    An open edition is never shown, whatever is stored: its figures would move with each answer.
    """
    now = now or timezone.now()
    return EditionAggregate.objects.select_related("edition").filter(
        published=True, min_segment_size__isnull=False, edition__closes__lte=now
    )


def open_edition(now=None) -> SurveyEdition | None:
    """The edition accepting responses right now, if any (the latest when windows overlap)."""
    now = now or timezone.now()
    return SurveyEdition.objects.filter(opens__lte=now, closes__gt=now).order_by("-year").first()


def editions_with_aggregates() -> QuerySet[EditionAggregate]:
    """Every published edition's aggregates, oldest first, in one query."""
    return published_aggregates().order_by("edition__year")


def aggregate_for_year(year: int) -> EditionAggregate | None:
    return published_aggregates().filter(edition__year=year).first()


def public_clouds() -> list[dict]:
    """Consenting public clouds across editions: name, regions, country and the years listed.

    Read from the stored aggregates (one query), newest edition's details first.
    """
    clouds: dict[str, dict] = {}
    for aggregate in published_aggregates().order_by("-edition__year"):
        for cloud in aggregate.public_clouds:
            key = cloud["name"].casefold()
            entry = clouds.setdefault(key, {"name": cloud["name"], "country": None, "regions": [], "years": []})
            # The newest country an edition published (None where the rule withheld it every time).
            entry["country"] = entry["country"] or cloud.get("country")
            for region in cloud.get("regions", []):
                if region not in entry["regions"]:
                    entry["regions"].append(region)
            entry["years"].append(aggregate.edition.year)
    result = sorted(clouds.values(), key=lambda cloud: cloud["name"].casefold())
    for cloud in result:
        cloud["years"].sort()
        cloud["first_listed"] = cloud["years"][0]
    return result


def approved_responses(edition: SurveyEdition) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(edition=edition, status=ResponseStatus.APPROVED)


def editions_to_compute(now=None) -> QuerySet[SurveyEdition]:
    """Closed editions whose figures were never computed after they closed (or not under the rule)."""
    now = now or timezone.now()
    return (
        SurveyEdition.objects.filter(closes__lte=now)
        .filter(
            Q(aggregate__isnull=True)
            | Q(aggregate__computed_at__lt=F("closes"))
            | Q(aggregate__min_segment_size__isnull=True)
        )
        .order_by("year")
    )


def responses_for_moderation() -> QuerySet[SurveyResponse]:
    """The admin's listing: pending first, with what each row prints in one query."""
    return SurveyResponse.objects.select_related("edition", "submitted_by", "moderated_by")


def response_for_user(user, edition: SurveyEdition) -> SurveyResponse | None:
    """The person's live (pending or approved) answer to this edition, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        SurveyResponse.objects.filter(edition=edition, submitted_by=user)
        .exclude(status=ResponseStatus.REJECTED)
        .first()
    )


def adoption_page() -> AdoptionPage | None:
    """The live /adoption/ page, whose routes serve the figures as CSV."""
    return AdoptionPage.objects.live().first()
