"""The bench signs its people in through the log-in forms, as a browser would: staff with their code."""

import pytest

from bench.run import HttpSite
from bench.scenarios import PEOPLE, SCENARIOS
from members.demo import DEMO_PASSWORD
from portal.accounts.mfa import totp_code, totp_secret_for
from portal.models import User
from portal.site.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, ensure_staff
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _code(email: str) -> str:
    return totp_code(totp_secret_for(User.objects.get(email__iexact=email)))


def test_the_bench_signs_staff_in_with_their_authenticator_code_and_reaches_the_door(live_server, tmp_path):
    ensure_staff()  # the demo's staff account, with its authenticator
    EventFactory(slug="summit")
    codes = []
    site = HttpSite(live_server.url, tmp_path, second_factor=lambda email: codes.append(email) or _code(email))

    cookie = site.session_of("staff")
    answer = site.request("/events/summit/checkin/", headers=cookie)
    without_code = HttpSite(live_server.url, tmp_path)

    assert codes == [DEMO_STAFF_EMAIL]
    assert answer.status_code == 200 and "Check-in" in answer.text
    with pytest.raises(Exception, match="could not log in as staff@openinfra.example"):
        without_code.session_of("staff")


def test_the_bench_people_are_the_demos_and_check_in_is_measured_as_staff():
    assert PEOPLE["staff"] == (DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD)
    assert PEOPLE["member"][1] == DEMO_PASSWORD
    assert next(s for s in SCENARIOS if s.key == "staff-checkin").signed_in == "staff"
