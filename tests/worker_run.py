"""A task run in this process as a Celery worker runs it: on the task stack, with its message's request
(not eager), carrying the outbox row it came from. What a worker does at a given moment of a task can
then be asserted without a worker process; tests/test_broker_outage.py runs real ones."""

from celery._state import _task_stack

from portal.core import outbox


def run_as_worker(task, message_id: int, *args, **kwargs):
    _task_stack.push(task)
    task.push_request(args=args, kwargs=kwargs, headers={outbox.HEADER: message_id}, is_eager=False)
    try:
        return task(*args, **kwargs)
    finally:
        task.pop_request()
        _task_stack.pop()
