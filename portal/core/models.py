"""Rows portal/core keeps for every part: the outbox of tasks scheduled by committed transactions."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One task a transaction scheduled: stored with that transaction, cleared when the task has finished."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # The last hand-over to the broker (or the eager run); None while it never reached one.
    relayed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the sweep may relay it again if its task has not finished by then.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Out of attempts: the sweep leaves it for staff, who see it and may retry it.
    gave_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # When ADMINS were told it was stuck (OUTBOX_ALERT_AFTER_SECONDS): each row is reported once.
    alerted_at = models.DateTimeField(null=True, blank=True)
    # A task that redoes its in-place work (the receipt): the steps (its e-mails) that are out, each
    # recorded as it goes, so a run after a worker died mid-way sends only the rest.
    in_place_done = models.JSONField(default=list, blank=True)

    class Meta:
        app_label = "portal"
        ordering = ["created_at", "pk"]
        verbose_name = "outbox message"
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="portal_outbox_due",
                condition=Q(finished_at__isnull=True, gave_up_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
