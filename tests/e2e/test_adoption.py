import pytest

from tests.e2e.screenshots import full_page_screenshot


@pytest.mark.django_db(transaction=True)
def test_adoption_page_on_a_phone(live_server, phone_page, artifacts_dir, site_with_home):
    from portal.adoption import demo

    demo.load(site_with_home)
    response = phone_page.goto(live_server.url + "/adoption/")
    assert response is not None and response.status == 200
    for name in ("Cores in production, by survey year", "Industries (2022)", "Deployment types (2022)"):
        assert phone_page.get_by_role("img", name=name).is_visible()
    assert phone_page.locator(".stat__value").first.inner_text() == "40M+"
    width = phone_page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    with phone_page.expect_download() as download:
        phone_page.locator("#chart-cores a", has_text="Download the data").click()
    assert download.value.suggested_filename == "adoption-cores.csv"
    full_page_screenshot(phone_page, artifacts_dir / "adoption-375.png")
