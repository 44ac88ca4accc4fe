"""Django's database sessions, read with one written-out statement.

Every request of a signed-in person reads its session first. Through the ORM, building that SELECT
cost more CPU than PostgreSQL spent answering it; the statement below is the ORM's, written once.
Writes, expiry and everything else are Django's own (`django.contrib.sessions.backends.db`).
"""

from django.contrib.sessions.backends import db
from django.utils import timezone

from portal.core.joined import raw_list

_SESSION_SQL = """
SELECT session_key, session_data, expire_date FROM django_session WHERE session_key = %s AND expire_date > %s
"""


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if self.session_key:
            found = raw_list(self.model, _SESSION_SQL, [self.session_key, timezone.now()])
            if found:
                return found[0]
        self._session_key = None
        return None
