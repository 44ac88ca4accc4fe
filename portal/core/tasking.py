"""The one way services enqueue Celery tasks: stored with the transaction, relayed after it commits.

The transactional outbox behind it is in portal/core/outbox.py.
"""

from portal.core.outbox import enqueue_on_commit

__all__ = ["enqueue_on_commit"]
