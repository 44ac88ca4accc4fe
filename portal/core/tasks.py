"""Portal-wide Celery tasks."""

from celery import shared_task

from portal.core import mail, outbox


@shared_task(
    name="portal.send_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_email(message: dict) -> None:
    """Deliver one e-mail; a mail server that is down is retried with backoff."""
    mail.deliver(message)


@shared_task(name="portal.ping", ignore_result=False)
def ping(value: str = "pong") -> str:
    """Round trip used by the health check and the broker test."""
    return value


@shared_task(name="portal.outbox_sweep")
def outbox_sweep() -> int:
    """Beat, every minute: relay again the tasks committed but not finished in time."""
    return outbox.outbox_sweep()
