"""axe-core reports no violation, of any impact, on every page in tests/e2e/pages.py, at 1280 and 375 px."""

import hashlib

import pytest

from tests.e2e.axe import AXE_FILE, AXE_VERSION, format_violations, run_axe
from tests.e2e.conftest import load_data_for
from tests.e2e.pages import PAGES
from tests.e2e.screenshots import full_page_screenshot

WIDTHS = (1280, 375)


def test_the_vendored_axe_is_the_pinned_release():
    text = AXE_FILE.read_text(encoding="utf-8")
    assert f"axe v{AXE_VERSION}" in text[:200]
    assert hashlib.sha256(AXE_FILE.read_bytes()).hexdigest() in (AXE_FILE.parent / "README.md").read_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("site_page", [p for p in PAGES if p.axe], ids=str)
def test_no_axe_violation(live_server, browser_as, artifacts_dir, site_page):
    load_data_for(site_page)
    failures = []
    for width in WIDTHS:
        page = browser_as(site_page.who, width=width, bypass_csp=True)
        response = page.goto(live_server.url + site_page.path)
        assert response is not None and response.status == 200, f"{site_page.path}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        violations = run_axe(page)
        if violations:
            failures.append(f"at {width} px:\n{format_violations(violations)}")
        full_page_screenshot(page, artifacts_dir / f"axe-{site_page.name}-{width}.png")
    assert not failures, f"{site_page.path} has accessibility violations\n" + "\n".join(failures)
