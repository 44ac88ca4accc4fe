"""Queries per request, reported in a response header: loaded by bench/settings.py only.

The harness asks with `X-Bench-Queries: 1`; other requests (the load itself) pass straight through,
so the counting costs nothing while wrk measures.
"""

from contextlib import ExitStack

from django.db import connections

REQUEST_HEADER = "HTTP_X_BENCH_QUERIES"
RESPONSE_HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get(REQUEST_HEADER) != "1":
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for conn in connections.all():
                stack.enter_context(conn.execute_wrapper(counter))
            response = self.get_response(request)
        response[RESPONSE_HEADER] = str(count)
        return response
