"""Celery tasks of the adoption app: take ids, call one service."""

from celery import shared_task
from django.contrib.auth import get_user_model

from portal.adoption import services
from portal.adoption.exceptions import SurveyStillOpen
from portal.adoption.models import SurveyEdition


@shared_task(name="adoption.recompute_aggregates", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def recompute_aggregates(edition_id: int, actor_id: int | None = None) -> int | None:
    """Compute one closed edition's figures; returns the sample size (None if it is gone or still open)."""
    edition = SurveyEdition.objects.filter(pk=edition_id).first()
    if edition is None:
        return None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return services.aggregates_recompute(edition=edition, actor=actor).sample_size
    except SurveyStillOpen:
        return None


@shared_task(name="adoption.compute_closed_editions", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def compute_closed_editions() -> list[int]:
    """Publish the figures of editions that have just closed (the years computed)."""
    return services.aggregates_compute_closed()
