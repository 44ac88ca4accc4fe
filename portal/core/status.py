"""One status machine for every model with a status: a transitions table, and moves that refuse illegal ones.

A model mixes in `StatusMachine` and declares `TRANSITIONS = {status: {statuses it may move to}}`
(every status a key, final ones with an empty set). Services move a row with `move_to()` and many rows
with `move_all()`; nothing else writes a status.
"""

from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from django.db.models import Model, QuerySet

from portal.core.exceptions import InvalidTransition


def _label(model: Any, status: str) -> str:
    choices = dict(model._meta.get_field("status").choices or ())
    return str(choices.get(status, status)).lower()


class StatusMachine:
    """Mixin for a model with a `status` field and a class-level `TRANSITIONS` table."""

    TRANSITIONS: ClassVar[Mapping[str, Collection[str]]] = {}
    status: Any

    def can_move_to(self, status: str) -> bool:
        """Whether the transitions table allows the move from the current status."""
        return status in self.TRANSITIONS.get(self.status, ())

    def invalid_move_message(self, status: str) -> str:
        """What the person is told when the move is refused; models may word it their own way."""
        name = self._meta.verbose_name  # type: ignore[attr-defined]
        return f"A {_label(self, self.status)} {name} cannot become {_label(self, status)}."

    def move_to(self, status: str) -> None:
        """Move to `status` if the table allows it (InvalidTransition otherwise); the caller saves."""
        if not self.can_move_to(status):
            raise InvalidTransition(self.invalid_move_message(status), extra={"from": self.status, "to": status})
        self.status = status

    @classmethod
    def move_all(cls, queryset: QuerySet, status: str, **fields: Any) -> int:
        """Move every row of `queryset` to `status` in one UPDATE, with `fields` set alongside; refuses
        (InvalidTransition, nothing written) when any row's current status may not move there."""
        allowed = [current for current, targets in cls.TRANSITIONS.items() if status in targets]
        stuck = queryset.exclude(status__in=allowed)
        if stuck.exists():
            row: Model = stuck.first()  # type: ignore[assignment]
            raise InvalidTransition(
                row.invalid_move_message(status),  # type: ignore[attr-defined]
                extra={"from": row.status, "to": status},  # type: ignore[attr-defined]
            )
        return queryset.filter(status__in=allowed).update(status=status, **fields)
