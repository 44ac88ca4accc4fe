"""An editor publishes a project page while the webhook receiver answers 500: the publish goes through, the
failed delivery waits in the database with its next attempt's time, and it is delivered on a later one."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from portal.api import services
from portal.api.models import DeliveryStatus, WebhookDelivery
from portal.core.models import OutboxMessage
from portal.models import User
from tests.conftest import login_staff
from tests.http_stubs import Receiver
from tests.portal.factories import project, project_index


def _publish_form(tagline: str) -> dict:
    return nested_form_data(
        {
            "title": "Zuul",
            "slug": "zuul",
            "tagline": tagline,
            "description": rich_text("<p>Project gating.</p>"),
            "body": streamfield([]),
            "status": "confirmed",
            "founded_year": "2012",
            "website": "",
            "repository": "https://opendev.example/zuul",
            "documentation": "",
            "latest_release_name": "12.0",
            "latest_release_date": "2025-08-20",
            "governance": rich_text(""),
            "tags": "ci",
            "seo_title": "",
            "search_description": "",
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )


@pytest.mark.django_db(transaction=True)  # commits for real, so the delivery runs after the publish commits
def test_publishing_while_the_receiver_answers_500_publishes_and_the_delivery_waits_for_its_retry(site_with_home):
    zuul = project(project_index(site_with_home), 1, title="Zuul", slug="zuul", tagline="Gating")
    editor = Client()
    login_staff(editor, User.objects.create_superuser(email="editor@openinfra.example", password="x"))
    with Receiver(failures=1, status=500) as receiver:
        services.webhook_subscription_create(
            name="Landscape", url=receiver.url, event_types=["project.updated"], secret="s", actor=None
        )
        response = editor.post(
            reverse("wagtailadmin_pages:edit", args=[zuul.pk]), _publish_form("Stop merging broken code")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        zuul.refresh_from_db()
        assert zuul.live and zuul.tagline == "Stop merging broken code"
        (delivery,) = WebhookDelivery.objects.all()
        assert len(receiver.received) == 1, "tried once, after the publish committed"
        assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at > timezone.now()
        assert list(delivery.attempt_log.values_list("ok", "response_code")) == [(False, 500)]
        assert not OutboxMessage.objects.filter(finished_at__isnull=True).exists(), "the failure lives in the row"

        assert services.webhook_deliveries_retry(now=timezone.now() + timedelta(hours=1)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.received) == 2
