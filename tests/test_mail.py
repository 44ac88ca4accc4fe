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
