"""Celery tasks of the membership workflow: each calls one service."""

from celery import shared_task

from members import services


@shared_task(name="members.renew")
def renew_memberships() -> dict[str, int]:
    """Daily: next year's dues for memberships whose paid year is over; lapse those unpaid after the grace period."""
    return services.memberships_renew()
