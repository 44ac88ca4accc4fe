"""The one way services enqueue Celery tasks: stored with the transaction, relayed after it commits.

The transactional outbox behind it is in portal/core/outbox.py; `outbox_batch()` writes the rows a
block schedules (its e-mails included) in one statement; `outbox_in_place_work_unfinished()` tells a
keyed task that redoes its e-mails whether this run is the copy of one that died before they were out.
"""

from portal.core.outbox import batch as outbox_batch
from portal.core.outbox import enqueue_on_commit
from portal.core.outbox import in_place_work_unfinished as outbox_in_place_work_unfinished

__all__ = ["enqueue_on_commit", "outbox_batch", "outbox_in_place_work_unfinished"]
