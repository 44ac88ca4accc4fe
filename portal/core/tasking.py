"""The one way services enqueue Celery tasks: stored with the transaction, relayed after it commits.

The transactional outbox behind it is in portal/core/outbox.py; `outbox_batch()` writes the rows a
block schedules (its e-mails included) in one statement.
"""

from portal.core.outbox import batch as outbox_batch
from portal.core.outbox import enqueue_on_commit

__all__ = ["enqueue_on_commit", "outbox_batch"]
