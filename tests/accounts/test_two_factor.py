"""Staff need a second factor for the admin; others are not forced."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.management import call_command

from portal.accounts.groups import CONTENT_EDITORS, EVENTS_STAFF, FINANCE
from portal.accounts.mfa import SETUP_MESSAGE, totp_activate, totp_code
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def _log_in(client, user, next_url="/admin/"):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD, "next": next_url})


def _open_set_up(client):
    """allauth asks for the password again before a change to the second factor (its safeguard)."""
    response = client.get(ACTIVATE)
    assert (response.status_code, response.url) == (
        302,
        "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
    )
    confirm = client.get(response.url)
    assert "The admin and staff pages need two-factor authentication" in confirm.content.decode()  # says why
    assert client.post(response.url, {"password": PASSWORD}).url == ACTIVATE
    return client.get(ACTIVATE)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        pytest.param({"groups": [FINANCE]}, "/admin/", id="finance-group"),
        pytest.param({"groups": [CONTENT_EDITORS]}, "/admin/pages/", id="editor-deep-link"),
        pytest.param({"is_staff": True, "is_superuser": True}, "/django-admin/", id="superuser-django-admin"),
    ],
)
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, staff_groups, who, url):
    staff = UserFactory(**who)
    assert _log_in(client, staff, url).url == url  # the password alone is accepted...
    response = client.get(url)
    assert (response.status_code, response.url) == (302, ACTIVATE)  # ...but the admin is not
    assert SETUP_MESSAGE in [str(m) for m in get_messages(response.wsgi_request)]
    page = _open_set_up(client)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, as an image (no inline SVG)


def test_setting_up_the_app_opens_the_admin_and_the_next_log_in_asks_for_a_code(client, staff_groups):
    editor = UserFactory(groups=[CONTENT_EDITORS])
    _log_in(client, editor)
    client.get("/admin/pages/")
    _open_set_up(client)
    secret = client.session["mfa.totp.secret"]
    wrong = client.post(ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and b"Incorrect code" in wrong.content
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert (response.status_code, response.url) == (302, "/accounts/2fa/recovery-codes/")
    codes_page = client.get(response.url).content.decode()
    assert 'href="/admin/pages/"' in codes_page and "Continue to the admin" in codes_page
    assert client.get("/admin/pages/").status_code == 200

    client.post("/accounts/logout/")
    cache.clear()  # allauth refuses a code twice within its period; a new period is a new code
    assert _log_in(client, editor).url == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # half-way through logging in: not in yet
    assert client.post("/accounts/2fa/authenticate/", {"code": "12345"}).status_code == 200
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert (response.status_code, response.url) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_a_session_that_skipped_the_code_is_asked_for_it(client, staff_groups):
    editor = UserFactory(groups=[CONTENT_EDITORS])
    secret = totp_activate(editor)
    client.force_login(editor)  # e.g. a session from before the authenticator was set up
    response = client.get("/admin/")
    assert (response.status_code, response.url) == (302, "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F")
    response = client.post("/accounts/2fa/reauthenticate/?next=%2Fadmin%2F", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_staff_fixture_reaches_the_admin(staff_client_factory, staff_groups):
    assert staff_client_factory(groups=[FINANCE]).get("/admin/").status_code == 200


def test_people_who_are_not_staff_are_not_forced(client):
    person = UserFactory()
    response = _log_in(client, person, "/accounts/")
    assert (response.status_code, response.url) == (302, "/accounts/")
    assert client.get("/accounts/").status_code == 200
    assert client.get("/admin/", follow=True).status_code == 403  # the admin's own answer, no set-up detour


def test_anyone_may_turn_it_on_from_my_account(client):
    client.force_login(UserFactory())
    html = client.get("/accounts/2fa/").content.decode()
    assert "Set up an authenticator app" in html
    assert 'href="/accounts/2fa/"' in client.get("/accounts/").content.decode()


def test_the_demo_staff_account_has_a_key_printed_with_its_login(db, settings):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "Demo staff login: staff@openinfra.example" in text
    key = text.split("Two-factor key (add it to an authenticator app): ", 1)[1].split()[0]
    settings.DEBUG = True
    code = io.StringIO()
    call_command("totp_code", stdout=code)
    assert code.getvalue().strip() == totp_code(key)


def test_staff_pages_outside_the_admin_use_the_same_rule(rf, staff_groups):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from portal.accounts.mfa import staff_second_factor_required

    view = staff_second_factor_required(lambda request: HttpResponse("check-in desk"))

    def visit(user):
        request = rf.get("/events/summit/checkin/")
        request.user, request.session = user, SessionStore()
        request._messages = FallbackStorage(request)
        return view(request)

    events_staff = UserFactory(groups=[EVENTS_STAFF])
    assert (visit(events_staff).status_code, visit(events_staff).url) == (302, ACTIVATE)
    totp_activate(events_staff)
    assert visit(events_staff).url.startswith("/accounts/2fa/reauthenticate/?next=")
    assert visit(UserFactory()).content == b"check-in desk"  # not staff: the view decides
    assert visit(AnonymousUser()).content == b"check-in desk"
