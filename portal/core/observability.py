"""How errors reach operators: the log (one JSON object a line with LOG_FORMAT=json) and, when SENTRY_DSN
is set, Sentry. sentry-sdk is an optional extra (`guildhall[sentry]`), imported only when a DSN is set."""

import logging


def log_formatters(log_format: str) -> dict:
    """The console's formatter for LOG_FORMAT: "text" (a person reads it) or "json" (a log shipper does)."""
    if log_format == "json":
        return {
            "console": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                # An exception's traceback goes into the same object (exc_info), so one error is one line.
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            }
        }
    return {"console": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}}


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Send errors (exceptions in requests and tasks, and every ERROR log record) to Sentry; no personal data."""
    # Not at the top: sentry-sdk is an optional extra, imported only when a DSN is set.
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
