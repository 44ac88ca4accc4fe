"""Celery tasks of the membership workflow: each calls one service."""

from celery import shared_task

from members import services


@shared_task(name="members.renew")
def renew_memberships() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): renewal invoices, reminders, grace and lapse; running it twice sends nothing twice."""
    return services.memberships_renew()
