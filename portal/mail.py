"""E-mail goes through Celery: this backend serialises each message and enqueues it."""

import base64
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction


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


def deliver(data: dict) -> None:
    """Hand one serialised message to the real backend configured by EMAIL_URL."""
    connection = get_connection(backend=settings.GUILDHALL_EMAIL_BACKEND)
    connection.send_messages([message_from_dict(data)])


class CeleryEmailBackend(BaseEmailBackend):
    """Queues each message on commit, so a rolled-back transaction sends no e-mail."""

    def send_messages(self, email_messages) -> int:
        from portal.tasks import send_email

        for message in email_messages:
            transaction.on_commit(partial(send_email.delay, message_to_dict(message)))
        return len(email_messages)
