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
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
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
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_start_without_secret_key_fails_with_one_clear_line():
    result = _run_manage("check", DEBUG="0")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Guildhall refuses to start: SECRET_KEY is not set and DEBUG is off."]
    assert "Traceback" not in result.stderr
