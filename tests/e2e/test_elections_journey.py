"""An election from nomination to published results, in Chromium, by visible labels: a member nominates,
the nominee accepts, staff add a candidate, members vote at 1280 and 375 px (and once without
JavaScript), staff close voting and certify, and the results page and the published ballots agree with
a recount. Screenshots in var/artifacts/ (journey-election-<step>-<width>.png)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from elections.models import Ballot, Candidate, Election
from elections.tabulation import tabulate
from members.models import IndividualMember
from tests.e2e.axe import format_violations, run_axe
from tests.e2e.conftest import DATA_LOADERS
from tests.e2e.pages import MEMBER, STAFF
from tests.e2e.screenshots import full_page_screenshot
from tests.elections.factories import election

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "board-2027"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _member(slug: str) -> IndividualMember:
    return IndividualMember.objects.select_related("user").get(slug=slug, left_at__isnull=True)


def _as(browser, live_server, user, contexts: list, **options):
    """A page in a new browser context, signed in as `user` (a member: no second factor needed)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**{**DESKTOP, **options})
    contexts.append(context)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def _shoot(page, artifacts_dir, step: str) -> None:
    width = page.viewport_size["width"]
    full_page_screenshot(page, artifacts_dir / f"journey-election-{step}-{width}.png")


def _axe(page, step: str, failures: list[str]) -> None:
    """axe on the page as it stands (its context opened with bypass_csp=True); violations collected."""
    violations = run_axe(page)
    if violations:
        failures.append(f"{step} at {page.viewport_size['width']} px:\n{format_violations(violations)}")


def _vote(page, live_server, scores: dict[str, int]) -> str:
    """On the ballot page: score each candidate (by the group named for them), cast, return the receipt."""
    page.goto(f"{live_server.url}/elections/{SLUG}/")
    page.get_by_role("link", name="Vote", exact=True).click()
    page.wait_for_url(f"**/elections/{SLUG}/vote/")
    for name, score in scores.items():
        page.get_by_role("group", name=name).get_by_label(str(score), exact=True).check()
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_role("heading", name="Your ballot is cast").wait_for()
    return page.locator("main code").inner_text()


def test_an_election_from_nomination_to_certified_results(browser, browser_as, live_server, artifacts_dir):
    DATA_LOADERS["individual-member"]()  # MEMBER (Mia Member) joins as an individual member
    contexts: list = []
    axe_failures: list[str] = []
    vote = election(
        phase="nominations",
        method=Election.Method.STAR,
        nominations_required=1,
        questions=["What would you change first?"],
        roll_date=timezone.localdate(),  # Mia joined today: on the roll
    )
    kenji, lucia = _member("kenji-arakawa"), _member("lucia-ferreyra")
    amara, henrik = _member("amara-okonkwo"), _member("henrik-solberg")
    lucia_name = lucia.display_name  # Lucía, with its accent
    mail.outbox.clear()
    try:
        # 1. Mia nominates Kenji from the election's page.
        mia = browser_as(MEMBER, bypass_csp=True)
        mia.goto(f"{live_server.url}/elections/{SLUG}/")
        mia.get_by_role("link", name="Nominate someone").click()
        _axe(mia, "nominate", axe_failures)
        mia.get_by_label("Person to nominate").select_option(label="Kenji Arakawa")
        mia.get_by_role("button", name="Nominate").click()
        mia.get_by_text("You nominated Kenji Arakawa.").wait_for()
        _shoot(mia, artifacts_dir, "nominated")

        # 2. Kenji is e-mailed, follows the link, accepts with a statement and an answer.
        invitation = next(m for m in mail.outbox if m.to == [kenji.user.email])
        assert invitation.subject == "You have been nominated in Board of Directors 2027"
        link = re.search(r"https?://\S+/elections/board-2027/stand/", invitation.body).group(0)
        nominee = _as(browser, live_server, kenji.user, contexts, bypass_csp=True)
        nominee.goto(live_server.url + link[link.index("/elections/") :])
        _axe(nominee, "stand", axe_failures)
        nominee.get_by_label("Your statement").fill("Shared CI for every project, paid for properly.")
        nominee.get_by_label("What would you change first?").fill("Publish the CI costs.")
        nominee.get_by_role("button", name="Accept and stand").click()
        nominee.wait_for_url(f"**/elections/{SLUG}/candidates/kenji-arakawa/")
        assert nominee.get_by_role("heading", level=1).inner_text() == "Kenji Arakawa"
        assert nominee.get_by_text("Publish the CI costs.").is_visible()
        _shoot(nominee, artifacts_dir, "accepted")

        # 3. Staff put Lucia on the ballot before voting opens.
        staff = browser_as(STAFF)
        staff.goto(f"{live_server.url}/admin/elections-candidates/{vote.pk}/")
        staff.get_by_label("E-mail address of the person's account").fill(lucia.user.email)
        staff.get_by_role("button", name="Add to the ballot").click()
        staff.wait_for_load_state("networkidle")
        _shoot(staff, artifacts_dir, "candidate-added")
        staff.get_by_text(f"{lucia_name} added to the ballot.").wait_for()
        assert sorted(c.name for c in Candidate.objects.filter(election=vote, accepted_at__isnull=False)) == [
            "Kenji Arakawa",
            lucia_name,
        ]

        # Time passes: nominations close and voting opens.
        now = timezone.now()
        Election.objects.filter(pk=vote.pk).update(
            nominations_close=now - timedelta(hours=2),
            acceptance_closes=now - timedelta(hours=1),
            voting_opens=now - timedelta(minutes=1),
            voting_closes=now + timedelta(days=7),
        )

        # 4. Members vote: Mia at 1280 px, Amara on a phone, Henrik with JavaScript off; axe on the ballot.
        receipts = []
        for user, options, scores in (
            (None, {}, {"Kenji Arakawa": 5, lucia_name: 2}),
            (amara.user, PHONE, {"Kenji Arakawa": 1, lucia_name: 4}),
        ):
            voter = (
                browser_as(MEMBER, bypass_csp=True)
                if user is None
                else _as(browser, live_server, user, contexts, bypass_csp=True, **options)
            )
            voter.goto(f"{live_server.url}/elections/{SLUG}/vote/")
            voter.wait_for_load_state("networkidle")
            width = voter.viewport_size["width"]
            assert voter.evaluate("document.documentElement.scrollWidth") <= width, f"ballot scrolls at {width}"
            _axe(voter, "ballot", axe_failures)
            _shoot(voter, artifacts_dir, "ballot")
            receipts.append(_vote(voter, live_server, scores))
            _shoot(voter, artifacts_dir, "voted")
        no_js = _as(browser, live_server, henrik.user, contexts, java_script_enabled=False)
        receipts.append(_vote(no_js, live_server, {"Kenji Arakawa": 3, lucia_name: 3}))
        assert Ballot.objects.filter(election=vote).count() == 3
        assert not axe_failures, "\n".join(axe_failures)

        # 5. Staff close voting early (the ballots are counted), then certify.
        staff.goto(f"{live_server.url}/admin/elections-results/")
        row = staff.get_by_role("row").filter(has_text="Board of Directors 2027")
        assert "3 of" in row.inner_text()
        row.get_by_role("button", name="Close voting now and count").click()
        staff.get_by_text("Board of Directors 2027: voting closed and ballots counted.").wait_for()
        row = staff.get_by_role("row").filter(has_text="Board of Directors 2027")
        assert "elected Kenji Arakawa" in row.inner_text()
        row.get_by_role("button", name="Certify and publish").click()
        staff.get_by_text("Board of Directors 2027: results certified.").wait_for()
        _shoot(staff, artifacts_dir, "certified")

        # 6. Anyone reads the results; the published ballots recount to the same winner.
        visitor = browser.new_context(**DESKTOP).new_page()
        contexts.append(visitor.context)
        visitor.goto(f"{live_server.url}/elections/{SLUG}/")
        results = visitor.get_by_role("region", name="Results")
        assert "Elected: Kenji Arakawa" in results.inner_text()
        assert results.get_by_role("table", name="Automatic runoff").is_visible()
        _shoot(visitor, artifacts_dir, "results")
        published = visitor.request.get(f"{live_server.url}/elections/{SLUG}/ballots.json").json()["ballots"]
        assert sorted(published, key=str) == sorted(
            [{"kenji-arakawa": 5, "lucia-ferreyra": 2}, {"kenji-arakawa": 1, "lucia-ferreyra": 4},
             {"kenji-arakawa": 3, "lucia-ferreyra": 3}],
            key=str,
        )  # fmt: skip
        recount = tabulate("star", ["kenji-arakawa", "lucia-ferreyra"], published, seats=1, tie_seed=vote.tie_seed)
        vote.refresh_from_db()
        assert list(recount.winners) == vote.results["tabulation"]["winners"] == ["kenji-arakawa"]
        assert recount.to_dict() == vote.results["tabulation"]
        listed = visitor.request.get(f"{live_server.url}/elections/{SLUG}/receipts.txt").text().split()
        assert sorted(receipts) == listed
        csv_text = visitor.request.get(f"{live_server.url}/elections/{SLUG}/ballots.csv").text()
        assert csv_text.splitlines()[0] == f"Kenji Arakawa,{lucia_name}"
        assert sorted(csv_text.splitlines()[1:]) == ["1,4", "3,3", "5,2"]
    finally:
        for context in contexts:
            context.close()
