"""Writes of adoption data: submitting, moderating, and recomputing the published figures."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from portal.adoption import aggregation, selectors
from portal.adoption.exceptions import AlreadyAnswered, SurveyClosed
from portal.adoption.models import (
    MIN_SEGMENT_SIZE,
    EditionAggregate,
    Project,
    ResponseStatus,
    SurveyEdition,
    SurveyResponse,
)
from portal.core.audit import audit
from portal.core.exceptions import ApplicationError
from portal.core.tasking import enqueue_on_commit

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


def _moderate(*, response: SurveyResponse, actor, status: str, action: str, recompute: bool) -> SurveyResponse:
    with transaction.atomic():
        response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
        previous = response.status
        response.move_to(status)
        response.moderated_at = timezone.now()
        response.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
        response.save(update_fields=["status", "moderated_at", "moderated_by"])
        audit(action, response, actor=actor, data={"from": previous, "to": status})
        if recompute and ResponseStatus.APPROVED in (previous, status):
            # Only a change to the approved set moves the published figures.
            from portal.adoption.tasks import recompute_aggregates  # a cycle: the task calls these services

            enqueue_on_commit(recompute_aggregates, response.edition_id)
    return response


def response_approve(*, response: SurveyResponse, actor, recompute: bool = True) -> SurveyResponse:
    """Staff accept a response into the figures; the edition's aggregates are recomputed.

    `recompute=False` is for callers that moderate many answers and recompute once afterwards.
    """
    return _moderate(
        response=response,
        actor=actor,
        status=ResponseStatus.APPROVED,
        action="adoption.response.approve",
        recompute=recompute,
    )


def response_reject(*, response: SurveyResponse, actor, recompute: bool = True) -> SurveyResponse:
    """Staff keep a response out of the figures (withdrawing it if it was approved)."""
    return _moderate(
        response=response,
        actor=actor,
        status=ResponseStatus.REJECTED,
        action="adoption.response.reject",
        recompute=recompute,
    )


def responses_moderate(*, responses, status: str, actor) -> int:
    """Approve or reject many answers at once (skipping those already there); one recompute per edition."""
    service = response_approve if status == ResponseStatus.APPROVED else response_reject
    editions: set[int] = set()
    done = 0
    with transaction.atomic():
        for response in responses:
            if status not in SurveyResponse.TRANSITIONS.get(response.status, set()):
                continue
            previous = response.status
            service(response=response, actor=actor, recompute=False)
            done += 1
            if ResponseStatus.APPROVED in (previous, status):
                editions.add(response.edition_id)
        from portal.adoption.tasks import recompute_aggregates  # a cycle: the task calls these services

        for edition_id in sorted(editions):
            enqueue_on_commit(recompute_aggregates, edition_id, actor_id=getattr(actor, "pk", None))
    return done


def _previous_total(edition: SurveyEdition) -> int | None:
    """The previous edition's cores, if it is publishable: growth must not reveal a tiny sample."""
    previous = SurveyEdition.objects.filter(year__lt=edition.year).order_by("-year").first()
    if previous is None:
        return None
    figures = selectors.approved_responses(previous).aggregate(total=Sum("cores"), count=Count("pk"))
    return figures["total"] if figures["count"] >= MIN_SEGMENT_SIZE else None


def _recompute_one(edition: SurveyEdition) -> EditionAggregate:
    rows = selectors.approved_responses(edition).values(*ROW_FIELDS)
    figures = aggregation.figures(rows, previous_total=_previous_total(edition))
    aggregate, _created = EditionAggregate.objects.update_or_create(
        edition=edition, defaults={**figures, "computed_at": timezone.now()}
    )
    return aggregate


def aggregates_recompute(*, edition: SurveyEdition, actor=None) -> EditionAggregate:
    """Store the edition's figures from its approved responses, and the next edition's growth."""
    with transaction.atomic():
        aggregate = _recompute_one(edition)
        following = SurveyEdition.objects.filter(year__gt=edition.year).order_by("year").first()
        if following is not None and EditionAggregate.objects.filter(edition=following).exists():
            _recompute_one(following)
        audit(
            "adoption.aggregate.recompute",
            edition,
            actor=actor,
            data={"sample_size": aggregate.sample_size, "total_cores": aggregate.total_cores},
        )
    return aggregate
