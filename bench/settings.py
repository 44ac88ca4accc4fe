"""Production settings for `make bench`, with the three things only a benchmark needs.

Everything comes from `portal.settings` with the bench's environment (DEBUG off, a generated
SECRET_KEY, ALLOWED_HOSTS=127.0.0.1). On top of it:
- STATIC_ROOT in the run's temporary folder, so `collectstatic` never touches var/static;
- when BENCH_QUERY_HEADER=1 (set by the harness only), an outermost middleware that reports the
  queries of a request in a response header, and only for requests that ask for it;
- localstripe's webhook deliveries come over plain http on loopback (in production the proxy sets
  X-Forwarded-Proto for them), so that one path is exempt from the SSL redirect.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import MIDDLEWARE, SECURE_REDIRECT_EXEMPT

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^payments/stripe/webhook/$"]

if os.environ.get("BENCH_QUERY_HEADER") == "1":
    # Outermost, so it sees every query of the request, cache middleware and sessions included,
    # and its header is added after any full-page cache has stored the response.
    MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
