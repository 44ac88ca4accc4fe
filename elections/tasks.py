"""Elections' Celery tasks: each takes ids and calls one service."""

from celery import shared_task

from elections import services


@shared_task(name="elections.send_mailings")
def send_mailings() -> int:
    """Beat (CELERY_BEAT_SCHEDULE): queue the mailings whose moment has come; each goes out once."""
    return len(services.election_mailings_schedule())


@shared_task(name="elections.send_mailing", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_mailing(mailing_id: int) -> int:
    """Send one recorded mailing; a redelivered copy sends nothing (the mailing is marked sent)."""
    return services.mailing_send(mailing_id=mailing_id)
