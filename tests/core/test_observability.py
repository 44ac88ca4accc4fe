"""Errors reach operators: one JSON object a line with LOG_FORMAT=json, and Sentry when SENTRY_DSN is set
(sentry-sdk imported then only). Each runs the project's settings in a process of its own."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.http_stubs import SentryIngest

pytestmark = pytest.mark.process

SCRIPT = """
import logging, sys
import django
django.setup()
log = logging.getLogger("portal.core.outbox")
log.error("Outbox 7 (payments.send_receipt) not finished")
try:
    {}["receipt"]
except KeyError:
    log.exception("The receipt task failed")
print("sentry_sdk loaded" if "sentry_sdk" in sys.modules else "sentry_sdk absent")
if "sentry_sdk" in sys.modules:
    import sentry_sdk
    sentry_sdk.flush(10)
"""


def _run(tmp_path, **env_vars) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SENTRY_DSN", "LOG_FORMAT"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env_vars,
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_with_log_format_json_each_error_is_one_json_line_traceback_included(tmp_path):
    result = _run(tmp_path, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    errors = [r for r in records if r["level"] == "ERROR"]
    assert [r["message"] for r in errors] == [
        "Outbox 7 (payments.send_receipt) not finished",
        "The receipt task failed",
    ]
    assert errors[0]["logger"] == "portal.core.outbox" and errors[0]["time"]
    assert "Traceback" in errors[1]["exc_info"] and "KeyError: 'receipt'" in errors[1]["exc_info"]
    assert "sentry_sdk absent" in result.stdout, "no DSN, no sentry-sdk"


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    result = _run(tmp_path, LOG_FORMAT="xml")
    assert result.returncode == 1
    assert "Guildhall refuses to start: LOG_FORMAT is 'xml'" in result.stderr


def test_with_a_sentry_dsn_errors_go_to_sentry(tmp_path):
    pytest.importorskip("sentry_sdk")  # the optional `sentry` extra
    ingest = SentryIngest()
    try:
        result = _run(tmp_path, SENTRY_DSN=ingest.dsn, SENTRY_ENVIRONMENT="test")
    finally:
        ingest.close()
    assert result.returncode == 0, result.stderr
    assert "sentry_sdk loaded" in result.stdout
    sent = b"\n".join(ingest.envelopes).decode()
    assert "Outbox 7 (payments.send_receipt) not finished" in sent
    assert "The receipt task failed" in sent and "KeyError" in sent
    assert '"environment":"test"' in sent.replace(" ", "")
