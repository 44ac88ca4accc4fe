"""Who did what to which object, on top of Wagtail's action log so staff see it in the admin."""

from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from wagtail import hooks
from wagtail.log_actions import LogActionRegistry, get_active_log_context
from wagtail.log_actions import log as wagtail_log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from portal.core.deferred import written_together

# Every action a service records is listed here, with its admin label and past-tense message.
ACTIONS: dict[str, tuple[str, str]] = {
    "guildhall.user.anonymise": ("Anonymise account", "Account anonymised"),
}

# The entries of an open audit_batch(), written together when it ends.
_batch: ContextVar[list[ModelLogEntry] | None] = ContextVar("guildhall_audit_batch", default=None)


def register_actions(actions: dict[str, tuple[str, str]]) -> None:
    """Apps declare their audit actions at import time, before the first log is written."""
    ACTIONS.update(actions)


@hooks.register("register_log_actions")
def _register(registry: LogActionRegistry) -> None:
    for action, (label, message) in ACTIONS.items():
        registry.register_action(action, label, message)


def audit(action: str, instance: models.Model, *, actor: Any = None, data: dict | None = None) -> None:
    """Record one change made by a person (or by the system when actor is None)."""
    if action not in ACTIONS:
        raise ValueError(f"Unregistered audit action {action!r}: add it with register_actions().")
    user = actor if getattr(actor, "is_authenticated", False) else None
    if log_registry.get_log_model_for_instance(instance) is not ModelLogEntry:
        wagtail_log(instance, action, user=user, data=data or {})  # pages keep Wagtail's own log
        return
    if instance.pk is None:
        raise ValueError(f"Cannot audit {action} on an unsaved {type(instance).__name__}.")
    context = get_active_log_context()
    # The row Wagtail's log_action would write, without its full_clean(): that re-checks, with a
    # query per foreign key, what is true here by construction (the action is registered above).
    entry = ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        label=ModelLogEntry.objects.get_instance_title(instance),
        action=action,
        timestamp=timezone.now(),
        data=data or {},
        user=user or context.user,
        uuid=context.uuid,
        object_id=str(instance.pk),
    )
    pending = _batch.get()
    if pending is not None:
        pending.append(entry)
    else:
        ModelLogEntry.objects.bulk_create([entry])


def audit_batch():
    """The entries recorded inside are written in one INSERT at the end; use it inside the transaction.

    If the block raises, nothing is written: its transaction is rolled back anyway.
    """
    return written_together(_batch, ModelLogEntry.objects.bulk_create)


# Keys of an entry's data that name or reach a person; anonymising blanks them, wherever they sit.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "email",
        "company",
        "job_title",
        "pronouns",
        "attendee_name",
        "attendee_email",
        "buyer_name",
        "buyer_email",
    }
)


def _without_personal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("" if k in PERSONAL_KEYS else _without_personal(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_personal(v) for v in value]
    return value


def audit_forget_person(model: type[models.Model], object_ids, *, label: str) -> int:
    """The entries about these rows keep what happened and when, not whom it was about: each one's label
    becomes `label` and the personal keys of its data are blanked. Returns how many entries changed."""
    entries = list(
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id__in=[str(pk) for pk in object_ids],
        ).only("pk", "data", "label")
    )
    for entry in entries:
        entry.label = label
        entry.data = _without_personal(entry.data or {})
    ModelLogEntry.objects.bulk_update(entries, ["label", "data"], batch_size=500)
    return len(entries)
