"""E-mail goes through Celery: this backend serialises each message and enqueues it.

Each message is stored in the outbox with the transaction that writes it (portal/core/outbox.py). One
written by a task a worker runs goes out from that worker at once after the commit (a task of its own
would cost a round trip through the broker for nothing); only if the mail server fails is it relayed,
so `portal.send_email` retries it with backoff.

Each message gets its Message-ID when it is queued, so every copy of it (a row relayed again, a step of
the receipt sent again after a worker died at the wrong moment) is the same message to mail clients,
which show it once.
"""

import base64
import hashlib
import logging

from celery import current_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.utils.crypto import salted_hmac

from portal.core import outbox

logger = logging.getLogger(__name__)


def message_to_dict(message: EmailMultiAlternatives) -> dict:
    """A JSON-safe copy of a message (Celery serialises JSON only)."""
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode(), mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def message_from_dict(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


def deliver_message(message: EmailMultiAlternatives) -> None:
    """Hand one message to the real backend configured by EMAIL_URL."""
    get_connection(backend=settings.GUILDHALL_EMAIL_BACKEND).send_messages([message])


def deliver(data: dict) -> None:
    """Hand one serialised message (message_to_dict) to the real backend."""
    deliver_message(message_from_dict(data))


def _in_worker() -> bool:
    """Whether a Celery worker is running the current code as a task (not eagerly, inside a request)."""

    return bool(current_task) and not current_task.request.is_eager


class CeleryEmailBackend(BaseEmailBackend):
    """Queues each message on commit, so a rolled-back transaction sends no e-mail."""

    def send_messages(self, email_messages) -> int:
        from portal.core.tasks import send_email  # a cycle: the task delivers through this module

        # Through the outbox: stored with the transaction that sends it, so neither a broker outage nor a
        # killed worker loses it. A worker has the work in hand: it delivers at once after the commit (a
        # failure goes to the task's retries); a request leaves it to a worker.
        in_worker = _in_worker()
        for message in email_messages:
            data = message_to_dict(message)
            if not in_worker:
                _give_message_id(data, None)
                outbox.enqueue_on_commit(send_email, data)
                continue
            step = outbox.name_in_place_step(_step_base(data))
            _give_message_id(data, step)
            outbox.run_on_commit(send_email, data, in_place_step=step[1] if step else None)
        return len(email_messages)


def _step_base(data: dict) -> str:
    """What names a message among a task's e-mails, in every run of it: its recipients and subject."""
    what = "\n".join([*data["to"], *data["cc"], *data["bcc"], data["subject"]])
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def _give_message_id(data: dict, step: tuple[int, str] | None) -> None:
    """A new Message-ID, or for a step of a task that redoes its e-mails the one every run of that step
    gives (keyed with SECRET_KEY, so two sites' outbox rows of the same number differ)."""
    if any(name.lower() == "message-id" for name in data["headers"]):
        return
    if step is None:
        data["headers"]["Message-ID"] = make_msgid(domain=DNS_NAME)
        return
    row, name = step
    key = salted_hmac("guildhall.mail.message-id", f"{row}.{name}").hexdigest()[:24]
    data["headers"]["Message-ID"] = f"<{row}.{key}@{DNS_NAME}>"
