"""Who did what to which object, on top of Wagtail's action log so staff see it in the admin."""

from typing import Any

from django.db import models
from wagtail import hooks
from wagtail.log_actions import LogActionRegistry
from wagtail.log_actions import log as wagtail_log

# Every action a service records is listed here, with its admin label and past-tense message.
ACTIONS: dict[str, tuple[str, str]] = {
    "guildhall.user.anonymise": ("Anonymise account", "Account anonymised"),
}


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
    wagtail_log(instance, action, user=user, data=data or {})
