"""Writes of adoption data: submitting, moderating, and computing the figures of closed editions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.adoption import aggregation, disclosure, selectors
from portal.adoption.disclosure import Rule
from portal.adoption.exceptions import AlreadyAnswered, SurveyClosed, SurveyStillOpen
from portal.adoption.models import (
    EditionAggregate,
    Project,
    ResponseStatus,
    SurveyEdition,
    SurveyResponse,
)
from portal.core.audit import audit
from portal.core.exceptions import ApplicationError

ROW_FIELDS = (
    "industry",
    "country",
    "deployment_type",
    "projects",
    "cores",
    "deployments",
    "public_cloud_name",
    "public_cloud_region",
    "public_cloud_listed",
)


def response_submit(
    *,
    edition: SurveyEdition,
    user,
    industry: str,
    country: str,
    deployment_type: str,
    projects: list[str],
    cores: int,
    deployments: int = 1,
    organization_name: str = "",
    is_anonymous: bool = False,
    public_cloud_name: str = "",
    public_cloud_region: str = "",
    public_cloud_listed: bool = False,
) -> SurveyResponse:
    """A signed-in person answers an open edition, once; the answer waits for moderation."""
    with transaction.atomic():
        edition = SurveyEdition.objects.select_for_update().get(pk=edition.pk)
        if not edition.is_open():
            raise SurveyClosed(f"The {edition.year} survey is not open.")
        if selectors.response_for_user(user, edition) is not None:
            raise AlreadyAnswered(f"You have already answered the {edition.year} survey.")
        unknown = set(projects) - set(Project.values)
        if unknown:
            raise ApplicationError(f"Unknown projects: {', '.join(sorted(unknown))}.", code="invalid")
        response = SurveyResponse.objects.create(
            edition=edition,
            submitted_by=user,
            organization_name="" if is_anonymous else organization_name.strip(),
            is_anonymous=is_anonymous,
            industry=industry,
            country=country,
            deployment_type=deployment_type,
            projects=[slug for slug in Project.values if slug in projects],
            cores=cores,
            deployments=deployments,
            public_cloud_name=public_cloud_name.strip(),
            public_cloud_region=public_cloud_region.strip(),
            public_cloud_listed=public_cloud_listed and bool(public_cloud_name.strip()),
            status=ResponseStatus.PENDING,
        )
        audit("adoption.response.submit", response, actor=user, data={"edition": edition.year})
    return response


def _moderate(*, response: SurveyResponse, actor, status: str, action: str) -> SurveyResponse:
    with transaction.atomic():
        response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
        previous = response.status
        response.move_to(status)
        response.moderated_at = timezone.now()
        response.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
        response.save(update_fields=["status", "moderated_at", "moderated_by"])
        audit(action, response, actor=actor, data={"from": previous, "to": status})
    # No recompute here: figures that moved with each approval would publish every new answer as the
    # difference between two readings. They are computed once the edition closes, or by staff.
    return response


def response_approve(*, response: SurveyResponse, actor) -> SurveyResponse:
    """Staff accept a response; it counts in the figures computed when the edition closes."""
    return _moderate(response=response, actor=actor, status=ResponseStatus.APPROVED, action="adoption.response.approve")


def response_reject(*, response: SurveyResponse, actor) -> SurveyResponse:
    """Staff keep a response out of the figures (withdrawing it if it was approved)."""
    return _moderate(response=response, actor=actor, status=ResponseStatus.REJECTED, action="adoption.response.reject")


def responses_moderate(*, responses, status: str, actor) -> int:
    """Approve or reject many answers at once, skipping those already there."""
    service = response_approve if status == ResponseStatus.APPROVED else response_reject
    done = 0
    with transaction.atomic():
        for response in responses:
            if status not in SurveyResponse.TRANSITIONS.get(response.status, set()):
                continue
            service(response=response, actor=actor)
            done += 1
    return done


def _previous_total(edition: SurveyEdition) -> int | None:
    """The previous edition's published cores: growth compares two closed, published editions only."""
    previous = SurveyEdition.objects.filter(year__lt=edition.year).order_by("-year").first()
    if previous is None or previous.closes > edition.closes:
        return None
    aggregate = selectors.published_aggregates().filter(edition=previous).first()
    return aggregate.total_cores if aggregate else None


def _compute_one(edition: SurveyEdition, rule: Rule) -> EditionAggregate:
    rows = selectors.approved_responses(edition).values(*ROW_FIELDS)
    figures = aggregation.figures(rows, previous_total=_previous_total(edition), rule=rule)
    aggregate, _created = EditionAggregate.objects.update_or_create(
        edition=edition, defaults={**figures, "computed_at": timezone.now()}
    )
    return aggregate


def aggregates_recompute(*, edition: SurveyEdition, actor=None) -> EditionAggregate:
    """Compute a closed edition's figures from its approved responses under the disclosure rule.

    An open edition is refused: its figures are published once, after it closes. The next edition's
    growth, which compares against these figures, follows (only its growth, not its other figures).
    """
    with transaction.atomic():
        edition = SurveyEdition.objects.select_for_update().get(pk=edition.pk)
        if edition.is_open() or edition.opens > timezone.now():
            raise SurveyStillOpen(f"The {edition.year} survey has not closed yet; its figures are computed after.")
        aggregate = _compute_one(edition, disclosure.current_rule())
        following = (
            EditionAggregate.objects.select_related("edition")
            .filter(edition__year__gt=edition.year)
            .order_by("edition__year")
            .first()
        )
        if following is not None:
            previous = _previous_total(following.edition)
            following.previous_total_cores = previous
            following.growth_percent = aggregation.growth_percent(following.total_cores, previous)
            following.save(update_fields=["previous_total_cores", "growth_percent"])
        audit(
            "adoption.aggregate.recompute",
            edition,
            actor=actor,
            data={
                "sample_size": aggregate.sample_size,
                "published": aggregate.published,
                "min_segment_size": aggregate.min_segment_size,
                "dominance_share": str(aggregate.dominance_share),
            },
        )
    return aggregate


def aggregates_compute_closed(*, now=None) -> list[int]:
    """Compute the figures of every edition that has closed since its figures were last computed."""
    return [aggregates_recompute(edition=edition).edition.year for edition in selectors.editions_to_compute(now)]
