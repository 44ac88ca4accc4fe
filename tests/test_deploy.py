"""Production settings, run in a subprocess so the suite's own settings stay out of it."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.deploy, pytest.mark.process]


def _run_manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "REDIS_URL",
            "STRIPE_SECRET_KEY",
            "ALLOW_PER_PROCESS_CACHE",
            "STRIPE_ALLOW_LOCALSTRIPE",
            "DATABASE_PREPARED_STATEMENTS",
        }
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # A database that has never been migrated, as on a fresh clone: checks must not depend on data.
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k9$Zq!w2@Lr7#Xv4^Bn8&Mt1*Hy6(Pj3)Ds5_Gf0+Ce-Ua=Ko;Ri,Wl.Ex",
        ALLOWED_HOSTS="openinfra.example",
        SITE_URL="https://openinfra.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        **PRODUCTION_SERVICES,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


# What a production start needs beside the keys: a shared cache and real Stripe keys. Nothing is
# contacted by `check`, so placeholders do.
PRODUCTION_SERVICES = {
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "STRIPE_SECRET_KEY": "sk_live_placeholder",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_placeholder",
    "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
}
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k9$Zq!w2@Lr7#Xv4^Bn8&Mt1*Hy6(Pj3)Ds5_Gf0+Ce-Ua=Ko;Ri,Wl.Ex",
    "ALLOWED_HOSTS": "openinfra.example",
}


def _refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("missing", "refusal", "opt_in"),
    [
        # Per-process caches let N processes allow N times every limit: production needs Redis.
        (("REDIS_URL",), "REDIS_URL is not set and DEBUG is off", "ALLOW_PER_PROCESS_CACHE"),
        # Without Stripe keys payments would go to localstripe, a development stand-in.
        (
            ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"),
            "STRIPE_SECRET_KEY is not set and DEBUG is off",
            "STRIPE_ALLOW_LOCALSTRIPE",
        ),
    ],
)
def test_production_refuses_to_start_without_a_service_and_names_the_opt_in(missing, refusal, opt_in):
    services = {k: v for k, v in PRODUCTION_SERVICES.items() if k not in missing}
    line = _refusal(_run_manage("check", **PRODUCTION, **services))
    assert line.startswith(f"Guildhall refuses to start: {refusal}")
    assert f"{opt_in}=1" in line
    allowed = _run_manage("check", **PRODUCTION, **services, **{opt_in: "1"})
    assert allowed.returncode == 0, allowed.stderr


def test_start_without_secret_key_fails_with_one_clear_line():
    result = _run_manage("check", DEBUG="0")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Guildhall refuses to start: SECRET_KEY is not set and DEBUG is off."]
    assert "Traceback" not in result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("setting", "threshold"), [({}, "2"), ({"DATABASE_PREPARED_STATEMENTS": "0"}, "None")])
def test_behind_a_pooler_in_transaction_mode_prepared_statements_can_be_turned_off(setting, threshold):
    from django.db import connection

    db = connection.settings_dict  # the suite's own database: DATABASE_URL's may not exist (CI creates none)
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    code = "from django.db import connection; connection.ensure_connection(); print(connection.connection.prepare_threshold)"
    result = _run_manage("shell", "-c", code, DEBUG="1", DATABASE_URL=url, **setting)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == threshold
