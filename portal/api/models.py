"""API tokens for tools, and outbound webhooks: who may call us, and whom we call.

A token's secret is never stored: only its SHA-256 and a short visible prefix to find it by.
Webhook deliveries and each of their attempts are kept, so staff can see what was sent and replay it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

TOKEN_PREFIX_LENGTH = 8


class Scope(models.TextChoices):
    READ = "read", "Read"
    CHECKIN = "checkin", "Check-in"
    STAFF = "staff", "Staff"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """One tool's key to the API, with the scopes staff gave it. Revoked tokens stay, for the record."""

    name = models.CharField("tool", max_length=100, help_text="What uses this token, e.g. “Summit check-in app”.")
    scopes = models.JSONField(default=list, help_text="Any of read, checkin, staff.")
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        default_permissions = ()
        permissions = [("manage_apitoken", "Can create, scope and revoke API tokens")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def scopes_display(self) -> str:
        labels = dict(Scope.choices)
        return ", ".join(labels.get(scope, scope) for scope in self.scopes) or "—"

    def clean(self) -> None:
        unknown = set(self.scopes or []) - set(Scope.values)
        if unknown:
            raise ValidationError({"scopes": f"Unknown scopes: {', '.join(sorted(unknown))}."})


class WebhookEvent(models.TextChoices):
    MEMBER_JOINED = "member.joined", "Member joined"
    MEMBER_LAPSED = "member.lapsed", "Member lapsed"
    SPONSORSHIP_PAID = "sponsorship.paid", "Sponsorship paid"
    PROJECT_UPDATED = "project.updated", "Project updated"


class WebhookSubscription(models.Model):
    """A URL that hears about some event types, signed with its own secret."""

    name = models.CharField(max_length=100, help_text="Who receives these, e.g. “Landscape site”.")
    url = models.URLField(
        "target URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="http or https; receives a JSON POST.",
    )
    secret = models.CharField(
        max_length=100,
        help_text="Shared with the receiver to verify the Guildhall-Signature header. Leave empty to generate one.",
        blank=True,
    )
    event_types = models.JSONField(default=list)
    is_active = models.BooleanField("active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "webhook"
        default_permissions = ()
        permissions = [("manage_webhooks", "Can register webhooks and replay deliveries")]

    def __str__(self) -> str:
        return self.name

    @property
    def event_types_display(self) -> str:
        labels = dict(WebhookEvent.choices)
        return ", ".join(labels.get(kind, kind) for kind in self.event_types) or "—"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event sent to one subscription; retried until delivered or out of attempts."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt: when the next is due (beat picks it up); None while one is queued or done.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        default_permissions = ()
        indexes = [
            models.Index(fields=["subscription", "status"]),
            models.Index(fields=["status", "next_attempt_at"], name="api_webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} → {self.subscription}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back, or why nothing did."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="api_webhook_attempt_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="api_webhook_attempt_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of delivery {self.delivery_id}"
