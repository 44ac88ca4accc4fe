import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction


@pytest.mark.django_db
def test_mail_goes_through_the_task_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = EmailMultiAlternatives("Your ticket", "See attached.", to=["ada@example.org"])
        message.attach_alternative("<p>See attached.</p>", "text/html")
        message.attach("ticket.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        message.send()
        assert mail.outbox == [], "nothing leaves before the transaction commits"
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "Your ticket"
    assert sent.to == ["ada@example.org"]
    assert sent.alternatives[0][0] == "<p>See attached.</p>"
    assert sent.attachments[0][0] == "ticket.ics"
    assert sent.attachments[0][1].startswith("BEGIN:VCALENDAR")


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_no_mail():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        send_mail("Welcome", "Hello", None, ["grace@example.org"])
        raise Boom
    assert mail.outbox == []
    send_mail("Welcome", "Hello", None, ["grace@example.org"])  # outside a transaction: at once
    assert [m.to for m in mail.outbox] == [["grace@example.org"]]


class _FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.mark.django_db
def test_a_message_a_worker_writes_goes_out_from_that_worker_and_only_a_failure_is_queued(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    from portal.core import mail as portal_mail
    from portal.core.tasks import send_email

    queued = []
    monkeypatch.setattr(send_email, "apply_async", lambda args, kwargs, headers: queued.append(args[0]))
    monkeypatch.setattr(portal_mail, "_in_worker", lambda: True)

    with django_capture_on_commit_callbacks(execute=True):
        tickets = EmailMultiAlternatives("Your tickets", "Attached.", to=["ada@example.org"])
        tickets.attach_alternative("<p>Attached.</p>", "text/html")
        tickets.attach("ticket-1.png", b"\x89PNG\r\n", "image/png")
        tickets.send()
    assert [m.subject for m in mail.outbox] == ["Your tickets"] and not queued, "sent by the worker, no task"
    (sent,) = mail.outbox
    assert sent.alternatives[0][0] == "<p>Attached.</p>"
    assert [(a[0], a[1]) for a in sent.attachments] == [("ticket-1.png", b"\x89PNG\r\n")]

    settings.GUILDHALL_EMAIL_BACKEND = f"{__name__}._FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Your receipt", "Attached.", None, ["ada@example.org"])
    assert [data["subject"] for data in queued] == ["Your receipt"], "a failed send is left to the retrying task"
    from portal.core.models import OutboxMessage

    rows = {row.args[0]["subject"]: row for row in OutboxMessage.objects.all()}
    assert rows["Your tickets"].finished_at is not None
    assert rows["Your receipt"].finished_at is None, "kept until the retrying task has delivered it"


def test_a_request_is_not_a_worker():
    from portal.core.mail import _in_worker

    assert _in_worker() is False
