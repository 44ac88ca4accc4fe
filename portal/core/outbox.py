"""A transactional outbox: no side effect of a committed transaction depends on the broker being up.

A service schedules a task with `enqueue_on_commit` (portal/core/tasking.py). The task is written as an
`OutboxMessage` row in the service's own transaction, so a rollback leaves nothing and a commit keeps it
whatever happens next. After the commit the row is relayed: handed to the broker (or, with eager tasks,
run at once). A relay that fails (the broker is down) is logged and never raised to the request: the
row waits. The row is cleared (`finished_at`) only when its task has finished, by the task itself
(`OutboxTask`; the `task_postrun` signal notes a failure's error), so a message lost by the broker or a
worker killed mid-task leaves the row unfinished. The rows a task ran in place (its e-mails,
`run_on_commit`) are cleared with its own, in one UPDATE when it ends; a task that redoes that work when
its row is unfinished (the receipt) writes none for it, only, on its own row, which of its e-mails are
out, so that a run after a killed one sends the rest and not those again. A beat task (`outbox_sweep`,
every minute) relays again every row not finished in time, backing off, and gives up after `OUTBOX_MAX_ATTEMPTS`, leaving the row for staff.
A row still not finished `OUTBOX_ALERT_AFTER_SECONDS` after its commit is logged as an error and mailed to
ADMINS, once; the admin's Failures screen (portal/site/outbox_admin.py) lists it with a Retry button.

Delivery is therefore at least once. A copy arriving after its row finished is skipped (`OutboxTask`,
but for a task marked `keyed`, which finds its work done without that query);
the tasks that send something are keyed on what they send (a payment's `receipt_sent_at`, a webhook
delivery's status, Stripe idempotency keys), so a relay or a redelivery never sends twice.

Why not django-celery-outbox: its relay is a separate daemon that claims rows with `SELECT … FOR UPDATE
SKIP LOCKED`, which SQLite (the laptop's database) does not have; it clears a row once it is *published*,
not once its task *finished*, so a worker killed mid-task still loses it; and it brings sentry-sdk,
structlog and a StatsD client as hard dependencies. What is needed here is one table, one signal and a
beat task; claiming a row is a conditional UPDATE, which both databases do.
"""

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.core.mail import get_connection, mail_admins
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.core.deferred import written_together

logger = logging.getLogger(__name__)

# The message header that carries the row's id to the worker (kept by Celery across retries).
HEADER = "guildhall_outbox_id"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _delay(attempts: int) -> timedelta:
    """How long a relayed row may take before the sweep relays it again: doubling, capped."""
    first = _setting("OUTBOX_RELAY_AFTER_SECONDS", 300)
    cap = _setting("OUTBOX_MAX_DELAY_SECONDS", 6 * 60 * 60)
    return timedelta(seconds=min(cap, first * 2 ** max(0, attempts - 1)))


def _message_model():
    from portal.core.models import OutboxMessage  # models load after the app registry

    return OutboxMessage


def _new_message(task: Task, args: tuple, kwargs: dict, *, here: bool):
    now = timezone.now()
    # One relayed right after the commit is written as relayed then, so the relay costs no second write;
    # one run in place is relayed only if that fails.
    relayed = {} if here else {"attempts": 1, "relayed_at": now}
    return _message_model()(
        task_name=task.name, args=list(args), kwargs=kwargs, next_attempt_at=now + _delay(1), **relayed
    )


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Store `task` with the surrounding transaction and relay it once that commits; a rollback sends nothing."""
    _schedule(task, args, kwargs, here=False)


def run_on_commit(task: Task, *args: Any, in_place_step: str | None = None, **kwargs: Any) -> None:
    """Store `task` with the transaction and, once that commits, run its body here (a worker that has the
    work in hand); if the body fails, the row is relayed so the task's own retries take over.

    Inside a task that redoes its in-place work (`OutboxTask.redoes_in_place`), run by a worker from its
    row, nothing is stored: that row, unfinished until the work is out, is what brings it back. Each
    piece of that work is a step, named by `in_place_step` (`name_in_place_step`; by its order in the
    run without one), recorded on the row once it is out (`OutboxMessage.in_place_done`); a step an
    earlier run recorded is not run again. Only a body that fails here gets a row of its own then, for
    its retries."""
    in_place = _redoing_row.get()
    if in_place is not None:
        step = in_place_step or in_place.name("")
        if step in in_place.done:
            return  # out before the earlier run died
        transaction.on_commit(partial(_after_commit, [(None, task.name, list(args), kwargs, (in_place, step))]))
        return
    _schedule(task, args, kwargs, here=True)


@dataclass
class _InPlace:
    """A worker's run of a task that redoes its in-place work: its row, and the steps that are out."""

    row: int
    # The steps recorded as out: by an earlier run (read by in_place_work_unfinished), then by this one.
    done: list[str] = field(default_factory=list)
    named: dict[str, int] = field(default_factory=dict)  # how often this run named each step

    def name(self, base: str) -> str:
        count = self.named.get(base, 0)
        self.named[base] = count + 1
        return f"{base}#{count}"


def name_in_place_step(base: str) -> tuple[int, str] | None:
    """In a worker's run of a task that redoes its in-place work: its row, and the name of the step `base`
    describes (e.g. a digest of a mail's recipients and subject), numbered when the run names the same
    base again; pass it to `run_on_commit(in_place_step=)`. Every run that does the same work names it
    the same, so what is out is not done again even if the work changed meanwhile (an attendee's
    address added). None outside such a run."""
    in_place = _redoing_row.get()
    return None if in_place is None else (in_place.row, in_place.name(base))


# Inside `batch()`: the rows scheduled so far, written together when the block ends.
_pending: ContextVar[list | None] = ContextVar("guildhall_outbox_batch", default=None)
# Inside a task's run: the rows it ran in place, cleared with its own row when it ends (one UPDATE).
_ran_in_task: ContextVar[list[int] | None] = ContextVar("guildhall_outbox_ran_in_task", default=None)
# Inside a worker's run of a task that redoes its in-place work: that task's own row.
_redoing_row: ContextVar[_InPlace | None] = ContextVar("guildhall_outbox_redoing_row", default=None)


def batch():
    """The rows scheduled inside are written in one INSERT when the block ends (use it inside the
    transaction), and those run here after the commit are cleared in one UPDATE: a task that sends
    several e-mails writes one statement for them, not one each. A block that raises writes nothing
    (its transaction is rolled back anyway)."""
    return written_together(_pending, _write_batch)


def _write_batch(pending: list) -> None:
    if connection.features.can_return_rows_from_bulk_insert:
        _message_model().objects.bulk_create([message for message, _here in pending])
    else:
        for message, _here in pending:
            message.save(force_insert=True)
    transaction.on_commit(partial(_after_commit, [_entry(message, here) for message, here in pending]))


def _schedule(task: Task, args: tuple, kwargs: dict, *, here: bool) -> None:
    message = _new_message(task, args, kwargs, here=here)
    pending = _pending.get()
    if pending is not None:
        pending.append((message, here))
        return
    message.save(force_insert=True)
    transaction.on_commit(partial(_after_commit, [_entry(message, here)]))


def _entry(message, here: bool) -> tuple:
    return message.pk, message.task_name, message.args, message.kwargs, here


def _after_commit(entries: list[tuple]) -> None:
    """Relay each row, or run it here; those run here and finished are cleared together."""
    finished = []
    for message_id, task_name, args, kwargs, here in entries:
        if not here:
            relay(message_id, task_name, args, kwargs, counted=True)
        elif _run_here(message_id, task_name, args, kwargs):
            finished.append(message_id)
        if isinstance(here, tuple):  # a step of a task that redoes its work: out, or in a row of its own now
            _step_done(*here)
    if not finished:
        return
    in_task = _ran_in_task.get()
    if in_task is not None:
        in_task.extend(finished)  # sent: cleared when the task ends, whatever comes after in it
    else:
        messages_finished(finished)


def _step_done(in_place: _InPlace, step: str) -> None:
    """Recorded at once, in its own statement: a worker killed after this does not run the step again."""
    in_place.done.append(step)
    _message_model().objects.filter(pk=in_place.row).update(in_place_done=in_place.done)


def _run_here(message_id: int | None, task_name: str, args: list, kwargs: dict) -> bool:
    """Run a task's body here. Returns whether its row is to be cleared: False when it failed (relayed)
    or when it has no row (run_on_commit inside a task that redoes it)."""
    task = current_app.tasks[task_name]
    try:
        task.run(*args, **kwargs)
    except Exception:
        if message_id is None:  # run without a row (run_on_commit): it gets one now, for its retries
            message = _new_message(task, tuple(args), kwargs, here=True)
            message.save(force_insert=True)
            message_id = message.pk
        logger.warning("Outbox %s (%s) failed in place; relayed for retries.", message_id, task_name, exc_info=True)
        relay(message_id, task_name, args, kwargs)
        return False
    return message_id is not None


def relay(message_id: int, task_name: str, args: list, kwargs: dict, *, counted: bool = False) -> bool:
    """Hand one row's task to the broker (or run it, eager); a failure is logged and the row waits.
    `counted`: the row was written as relayed (its first relay, right after the commit)."""
    Message = _message_model()
    if not counted:
        now = timezone.now()
        Message.objects.filter(pk=message_id).update(
            attempts=F("attempts") + 1, relayed_at=now, next_attempt_at=now + _delay(1)
        )
    try:
        current_app.tasks[task_name].apply_async(args=args, kwargs=kwargs, headers={HEADER: message_id})
    except OperationalError as exc:  # the broker is down: one line, no traceback per message
        logger.warning("Outbox %s (%s) not relayed (%s); the sweep tries again.", message_id, task_name, exc)
        Message.objects.filter(pk=message_id).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
        return False
    except Exception as exc:  # (eager) the task itself failed: the request must not see it
        logger.exception("Outbox %s (%s) failed; the sweep tries again.", message_id, task_name)
        Message.objects.filter(pk=message_id).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
        return False
    return True


def message_id_of(request) -> int | None:
    """The outbox row a task run belongs to, from its message header (None: not sent through the outbox)."""
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return int(value) if value else None


def message_finished(message_id: int) -> None:
    messages_finished([message_id])


def messages_finished(message_ids: list[int]) -> None:
    _message_model().objects.filter(pk__in=message_ids, finished_at__isnull=True).update(
        finished_at=timezone.now(), last_error=""
    )


def message_failed(message_id: int, error: BaseException | str | None) -> None:
    text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else f"{error!r}"
    _message_model().objects.filter(pk=message_id).update(last_error=text[:2000])


class OutboxTask(Task):
    """Every task's base: a copy of a message whose row has already finished is not run again.

    A task whose service is keyed on what it does (`keyed=True`, e.g. the receipt's `receipt_sent_at`
    read under the payment's lock) skips that check: a copy finds its work done anyway, and the check
    is a query on every run of a task that runs on every order.

    A task that `redoes_in_place` (the receipt) does its in-place work (its e-mails) again whenever it
    runs while its row is unfinished (`in_place_work_unfinished`): a worker that died between the task's
    commit and its e-mails leaves that row, and the sweep's copy sends them. So a worker's run of it
    writes no rows for the e-mails it sends: three INSERTs of their whole text, and their clearing,
    saved on every paid order.
    """

    keyed = False
    redoes_in_place = False

    def __call__(self, *args, **kwargs):
        message_id = message_id_of(self.request)
        if (
            message_id is not None
            and not self.keyed
            and _message_model().objects.filter(pk=message_id, finished_at__isnull=False).exists()
        ):
            logger.info("Outbox %s (%s) already finished; this copy is skipped.", message_id, self.name)
            return None
        ran_here: list[int] = []
        token = _ran_in_task.set(ran_here)
        # Eager runs (the unit tests) send their e-mails as requests do, through rows of their own.
        redoing = _InPlace(message_id) if self.redoes_in_place and not self.request.is_eager and message_id else None
        redo_token = _redoing_row.set(redoing)
        try:
            result = super().__call__(*args, **kwargs)
        except BaseException:
            if ran_here:  # sent before the failure: never again (a clear that fails must not hide the error)
                try:
                    messages_finished(ran_here)
                except Exception:  # noqa: BLE001
                    logger.exception("Outbox rows %s, sent in place, could not be cleared.", ran_here)
            raise
        finally:
            _ran_in_task.reset(token)
            _redoing_row.reset(redo_token)
        if message_id is not None:
            ran_here.append(message_id)
        if ran_here:
            messages_finished(ran_here)
        return result


def in_place_work_unfinished() -> bool:
    """In a worker's run of a task that redoes its in-place work: whether its row is still unfinished, so an
    earlier run may have committed and died before its e-mails were out. The steps that run recorded as
    out are then skipped (`run_on_commit`). False anywhere else (one query; ask it only once the work is
    found done)."""
    in_place = _redoing_row.get()
    if in_place is None:
        return False
    done = (
        _message_model()
        .objects.filter(pk=in_place.row, finished_at__isnull=True)
        .values_list("in_place_done", flat=True)
        .first()
    )
    if done is None:
        return False
    in_place.done = list(done)
    return True


def on_task_postrun(task=None, state=None, retval=None, **kwargs) -> None:
    """Note the error of a task that failed (the sweep relays it). One that succeeded cleared its row
    in `OutboxTask.__call__`, every task's base."""
    if task is None:
        return
    message_id = message_id_of(task.request)
    if message_id is None:
        return
    if state in {"FAILURE", "RETRY"}:  # a retry waits in Celery: staff see why meanwhile
        message_failed(message_id, retval)


def outbox_sweep(*, now=None) -> int:
    """Relay again each row not finished in time; give up on those out of attempts. Returns how many relayed."""
    Message = _message_model()
    started = timezone.now()
    now = now or started
    max_attempts = _setting("OUTBOX_MAX_ATTEMPTS", 10)
    # Not the rows this sweep writes itself (the alert below): they are relayed when it commits.
    due = Message.objects.filter(
        finished_at__isnull=True, gave_up_at__isnull=True, next_attempt_at__lte=now, created_at__lt=started
    )
    for message in due.filter(attempts__gte=max_attempts):
        Message.objects.filter(pk=message.pk, finished_at__isnull=True).update(gave_up_at=now)
        detail = (
            f"Outbox {message.pk} ({message.task_name}) gave up after {message.attempts} attempts:"
            f" {message.last_error or 'never finished'}"
        )
        logger.error(detail)
        alert_admins("A scheduled task never finished", f"{detail}\n\nRetry it from {failures_url()}")
    _alert_stuck(now)
    relayed = 0
    for message in due.filter(attempts__lt=max_attempts).order_by("next_attempt_at")[:500]:
        # Claim it: only the sweep that moves next_attempt_at relays (two beats, or a Retry click).
        claimed = Message.objects.filter(
            pk=message.pk, finished_at__isnull=True, attempts=message.attempts, next_attempt_at__lte=now
        ).update(next_attempt_at=now + _delay(message.attempts + 1))
        if not claimed:
            continue
        if relay_again(message):
            relayed += 1
    _purge(now)
    return relayed


def failures_url() -> str:
    """The admin's Failures screen, as a link for a mail."""

    return settings.WAGTAILADMIN_BASE_URL + reverse("guildhall_outbox")


def alert_admins(subject: str, body: str) -> None:
    """Mail ADMINS straight through the mail server, not through the outbox: an alert about stuck
    e-mail must not queue behind it (nor become a stuck row that raises an alert of its own)."""
    try:
        mail_admins(subject, body, connection=get_connection(backend=settings.GUILDHALL_EMAIL_BACKEND))
    except Exception:  # the log line (and Sentry) still carry the failure
        logger.exception("ADMINS could not be mailed: %s", subject)


def _alert_stuck(now) -> int:
    """Log and mail each row not finished OUTBOX_ALERT_AFTER_SECONDS after its commit, once per row."""
    Message = _message_model()
    cutoff = now - timedelta(seconds=_setting("OUTBOX_ALERT_AFTER_SECONDS", 30 * 60))
    stuck = Message.objects.filter(finished_at__isnull=True, alerted_at__isnull=True, created_at__lte=cutoff)
    reported = []
    for message in stuck.order_by("created_at")[:100]:
        # Claimed by the update: two beats never report the same row.
        if not Message.objects.filter(pk=message.pk, alerted_at__isnull=True).update(alerted_at=now):
            continue
        line = (
            f"Outbox {message.pk} ({message.task_name}) not finished since {message.created_at:%Y-%m-%d %H:%M:%S} UTC"
            f" after {message.attempts} attempt(s): {message.last_error or 'no error recorded (broker or worker down?)'}"
        )
        logger.error(line)
        reported.append(line)
    if reported:
        alert_admins(
            f"{len(reported)} scheduled task(s) stuck",
            "\n".join(reported) + f"\n\nEach is reported once. See them and retry: {failures_url()}",
        )
    return len(reported)


def messages_unfinished() -> QuerySet:
    """Rows whose task has not finished, given-up ones first, then oldest first."""
    return (
        _message_model()
        .objects.filter(finished_at__isnull=True)
        .order_by(F("gave_up_at").desc(nulls_last=True), "created_at", "pk")
    )


def relay_again(message) -> bool:
    """Relay a stored row; its next chance backs off with its attempts."""
    ok = relay(message.pk, message.task_name, message.args, message.kwargs)
    _message_model().objects.filter(pk=message.pk, finished_at__isnull=True).update(
        next_attempt_at=timezone.now() + _delay(message.attempts + 1)
    )
    return ok


def outbox_retry(*, message_id: int) -> bool:
    """Staff: relay a row not finished (given up or waiting) now, with its attempts counted afresh."""
    Message = _message_model()
    message = Message.objects.filter(pk=message_id, finished_at__isnull=True).first()
    if message is None:
        return False
    Message.objects.filter(pk=message.pk).update(gave_up_at=None, attempts=0)
    return relay(message.pk, message.task_name, message.args, message.kwargs)


def _purge(now) -> None:
    """Finished rows are kept a while for inspection, then deleted."""
    keep = timedelta(days=_setting("OUTBOX_KEEP_DAYS", 7))
    _message_model().objects.filter(finished_at__lt=now - keep).delete()
