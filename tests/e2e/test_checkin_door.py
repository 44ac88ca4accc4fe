"""The door without a hardware scanner: a code typed from the ticket, and the camera reading a QR code."""

import pytest
import segno
from django.test import Client

from events.ticket_codes import format_short_code
from portal.accounts.groups import EVENTS_STAFF, ensure_staff_groups
from portal.accounts.mfa import totp_activate
from tests.accounts.factories import UserFactory
from tests.conftest import CHROMIUM, log_in_with_second_factor
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.events.factories import EventFactory, TicketTypeFactory, paid_order

pytestmark = pytest.mark.django_db(transaction=True)


def _staff_session(live_server) -> dict:
    ensure_staff_groups()  # a transactional test starts from a flushed database
    staff = UserFactory(groups=[EVENTS_STAFF])
    client = Client()
    totp_activate(staff)
    log_in_with_second_factor(client, staff)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def _summit():
    event = EventFactory(slug="summit", name="OpenInfra Summit Europe")
    return event, TicketTypeFactory(event=event, name="Full access")


def test_a_code_read_aloud_and_typed_in_lower_case_checks_in(page, live_server):
    event, full = _summit()
    ticket = paid_order(event, full, name="Katherine Johnson").tickets.get()
    page.context.add_cookies([_staff_session(live_server)])
    page.goto(f"{live_server.url}/events/summit/checkin/")

    page.get_by_label("Ticket code").fill(format_short_code(ticket.short_code).lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Check in", exact=True).click()
    assert "Welcome, Katherine Johnson!" in page.locator("[data-checkin-result]").inner_text()
    assert "1 of 1 tickets checked in" in page.locator("[data-checkin-counts]").inner_text()


def _qr_video(path, text: str, *, width: int = 320, height: int = 240, frames: int = 10) -> None:
    """A Y4M video (what Chromium's fake camera plays) showing the QR code of `text`, black on white."""
    matrix = segno.make(text, error="m").matrix
    border, scale = 4, 6
    side = (len(matrix) + 2 * border) * scale
    left, top = (width - side) // 2, (height - side) // 2
    luma = bytearray(b"\xeb" * (width * height))
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(scale):
                y = top + (border + row_index) * scale + dy
                x = left + (border + col_index) * scale
                luma[y * width + x : y * width + x + scale] = b"\x10" * scale
    chroma = b"\x80" * ((width // 2) * (height // 2))
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


def test_the_camera_reads_a_qr_code_and_checks_the_ticket_in(browser, live_server, tmp_path):
    event, full = _summit()
    ticket = paid_order(event, full, name="Mary Jackson").tickets.get()
    video = tmp_path / "qr.y4m"
    _qr_video(video, ticket.code)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A browser of its own (the session's has no fake camera), from the same Playwright.
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    try:
        context = camera_browser.new_context(viewport={"width": 375, "height": 812}, permissions=["camera"])
        context.add_cookies([_staff_session(live_server)])
        page = context.new_page()
        page.goto(f"{live_server.url}/events/summit/checkin/")
        page.get_by_role("button", name="Scan with the camera").click()
        result = page.locator("[data-checkin-result]")
        result.wait_for(timeout=15000)
        assert "Welcome, Mary Jackson!" in result.inner_text()
        assert "1 of 1 tickets checked in" in page.locator("[data-checkin-counts]").inner_text()
    finally:
        camera_browser.close()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
