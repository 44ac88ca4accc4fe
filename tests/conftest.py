"""The suite's shared harness: markers that need real services, localstripe, factories."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from portal.core import pdf

# CI runs the same examples every time (a failure there reproduces here with HYPOTHESIS_PROFILE=ci);
# a developer's run draws new ones. Neither has a per-example deadline: a busy machine's pauses (a CI
# host, a laptop running the suite on two cores) are not our regressions.
hypothesis_settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None, print_blob=True)
hypothesis_settings.register_profile("local", deadline=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "local"))

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's set-up, except that `--reuse-db` restores a snapshot of the migrated database.

    A database kept as the last run left it lacks the rows data migrations made, which transactional
    tests delete (tests/dbsnapshot.py). `--create-db` with `--reuse-db` rebuilds the snapshot.
    """
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests import dbsnapshot

    if not django_db_use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose

    def setup(keepdb: bool):
        return setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )

    with django_db_blocker.unblock():
        if django_db_keepdb and django_db_use_migrations:
            db_cfg = dbsnapshot.setup_test_databases(lambda: setup(keepdb=True), rebuild=django_db_createdb)
        else:
            db_cfg = setup(keepdb=django_db_keepdb and not django_db_createdb)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=verbosity)


def _database_is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Skip tests whose service is absent here; in CI, a service that should be there must be.

    A test that uses the suite's localstripe is marked `localstripe` whether it says so or not, so
    `-m "not localstripe"` (make test-fast) leaves out every test that would start the server.
    """
    redis_url = os.environ.get("REDIS_URL")
    for item in items:
        if "localstripe_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.localstripe)
        if "redis" in item.keywords and not redis_url:
            item.add_marker(pytest.mark.skip(reason="REDIS_URL is not set"))
        if "postgres" in item.keywords and not _database_is_postgres():
            item.add_marker(pytest.mark.skip(reason="DATABASE_URL is not PostgreSQL"))
        if "e2e" in item.keywords and not Path(CHROMIUM).exists():
            if IN_CI:
                item.add_marker(pytest.mark.xfail(reason="Chromium missing in CI", strict=True, run=False))
                raise pytest.UsageError(f"CI is set but {CHROMIUM} is missing: install Debian's chromium")
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))
        if item.get_closest_marker("dejavu") and not pdf.has_unicode_font():
            item.add_marker(pytest.mark.skip(reason=f"no {pdf.REGULAR} under PDF_FONT_DIR (fonts-dejavu-core)"))
        if item.get_closest_marker("cjk_font") and not pdf.has_cjk_font():
            item.add_marker(pytest.mark.skip(reason=f"no {pdf.CJK} under PDF_FONT_DIR (fonts-droid-fallback)"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} after {timeout}s")


def wait_until_serving(base_url: str, timeout: float = 120.0) -> None:
    """A fresh gunicorn listens before its worker has loaded Django: wait for its first answer, so the
    test's own timeouts measure requests, not a cold start on a machine busy with other tests."""
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(f"{base_url}/health/", timeout=max(1.0, deadline - time.monotonic()))
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start_localstripe(port: int, *options: str) -> subprocess.Popen:
    """Our localstripe launcher on `port` (state in memory unless `--state FILE` is among `options`), once it listens."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "portal.dev.localstripe", "--port", str(port), "--quiet", *options],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port)
    except RuntimeError:
        proc.kill()
        raise RuntimeError(f"localstripe did not start: {proc.stderr.read().decode() if proc.stderr else ''}") from None
    return proc


@pytest.fixture(scope="session")
def localstripe_server():
    """A fresh localstripe on a free loopback port, state in memory, for the whole session.

    Yields a dict with its base URL and a function that (re)registers a webhook target.
    """
    port = free_port()
    proc = start_localstripe(port)
    yield {"port": port, "url": f"http://127.0.0.1:{port}", "process": proc}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def broker_loses_messages():
    """A broker that accepts every message and delivers none (a Redis that went away with them)."""
    from portal.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def localstripe(localstripe_server, settings):
    """Point the gateway at the suite's localstripe for this test."""
    settings.STRIPE_API_BASE = localstripe_server["url"]
    settings.STRIPE_JS_URL = f"{localstripe_server['url']}/js.stripe.com/v3/"
    return localstripe_server


@pytest.fixture
def artifacts_dir() -> Path:
    path = ROOT / "var" / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def site_with_home(db):
    """The demo's page tree root, as `load_demo` leaves it."""
    from portal.site import demo

    return demo.ensure_home_page()


def which(name: str) -> str | None:
    return shutil.which(name)


@pytest.fixture(autouse=True)
def _mail_through_celery(settings):
    """pytest-django swaps in locmem mail; put our Celery backend back so tests see the real path.

    The task hands messages to locmem (GUILDHALL_EMAIL_BACKEND), so mail.outbox still works,
    after the transaction commits (use django_capture_on_commit_callbacks(execute=True)).
    """
    settings.EMAIL_BACKEND = "portal.core.mail.CeleryEmailBackend"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the anonymous page cache must not carry pages between tests."""
    from django.core.cache import caches

    from portal.core.cache import forget_process_copies

    for alias in settings.CACHES:
        caches[alias].clear()
    forget_process_copies()
    yield


@pytest.fixture
def staff_groups(db):
    """The groups as the data migration makes them (again, should a flush have removed them)."""
    from portal.accounts.groups import ensure_staff_groups

    ensure_staff_groups()


def totp_code_to_type(secret: str, *, seconds_to_type: float = 5.0) -> str:
    """The authenticator's code, with time to type and send it before it changes: allauth accepts only the
    current 30-second window, and a browser test that read the code just before a window ended had it
    refused (it waited for a page that never came). Near the end of a window, wait for the next one."""
    import time

    from allauth.mfa import app_settings

    from portal.accounts.mfa import totp_code

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < seconds_to_type:
        time.sleep(left + 0.05)
    return totp_code(secret)


def log_in_with_second_factor(client, user) -> None:
    """Log `user` in on a test client as allauth does after password + authenticator code.

    `force_login` alone is a session without the "mfa" record, which staff need for the admin.
    """
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.test import RequestFactory

    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    authenticator = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.TOTP)
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()


@pytest.fixture
def staff_client_factory(db, client):
    """Staff logged in with a second factor, as the admin requires (portal/accounts/mfa.py).

        admin = staff_client_factory(groups=["Finance"])      # the `client` fixture, logged in
        admin.get("/admin/"); admin.user; admin.totp_secret
        staff_client_factory(superuser=True)                  # a superuser
        staff_client_factory(user=someone, client=Client())   # an existing person, another client

    Groups must exist (use the `staff_groups` fixture, or ensure_staff_groups(), for the table's).
    """
    from portal.accounts.mfa import totp_activate
    from tests.accounts.factories import UserFactory

    def make(*, groups=(), superuser=False, user=None, client=client, **fields):
        if user is None:
            fields.setdefault("is_staff", True)
            user = UserFactory(groups=list(groups) or None, is_superuser=superuser, **fields)
        client.totp_secret = totp_activate(user)
        log_in_with_second_factor(client, user)
        client.user = user
        return client

    return make


@pytest.fixture
def finance_user(db):
    """Someone in the Finance group, not logged in (`login_staff(client, finance_user)`)."""
    from django.contrib.auth.models import Group

    from tests.accounts.factories import UserFactory

    user = UserFactory(email="finance-staff@openinfra.example")
    user.groups.add(Group.objects.get(name="Finance"))
    return user


def signed_in_client(user=None):
    """A test client signed in as `user` (a new person unless given)."""
    from django.test import Client

    from tests.accounts.factories import UserFactory

    client = Client()
    client.force_login(user or UserFactory())
    return client


def login_staff(client, user) -> None:
    """Log a staff member in the way the admin requires: with an authenticator and its second factor."""
    from allauth.mfa.models import Authenticator

    from portal.accounts.mfa import totp_activate

    if not Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
        totp_activate(user)
    log_in_with_second_factor(client, user)


@pytest.fixture
def admin_client(db, admin_user, client):
    """pytest-django's superuser client, logged in with the second factor that staff need."""
    login_staff(client, admin_user)
    return client
