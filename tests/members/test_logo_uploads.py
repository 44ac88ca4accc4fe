"""A member admin's logo upload (/members/manage/<slug>/profile/): an SVG that could run code or fetch
anything when opened is refused with the reason, a plain one is kept as SVG, and 1 MB is the limit."""

from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.views.static import serve

from members.models import Organization
from tests.members.factories import MembershipTierFactory, member, role_for

pytestmark = pytest.mark.django_db

URL = "/members/manage/acme/profile/"
PROFILE = {"name": "Acme", "website": "https://acme.example/", "country": "Germany", "industry": "cloud"}


def svg(body: str, *, before: str = "", attributes: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{before}<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 120 40"{attributes}>{body}</svg>'
    ).encode()


PLAIN_LOGO = svg(
    "<title>Acme</title><desc>The Acme mark</desc>"
    '<defs><linearGradient id="sky" x1="0" y1="0" x2="1" y2="1">'
    '<stop offset="0" stop-color="#b3162b"/><stop offset="1" stop-color="#2b16b3" stop-opacity=".8"/>'
    '</linearGradient><radialGradient id="sun"><stop offset="0" stop-color="#fc0"/></radialGradient>'
    '<symbol id="dot"><circle cx="5" cy="5" r="4"/></symbol><clipPath id="clip"><rect width="120" height="40"/>'
    "</clipPath></defs>"
    "<style>.word { font-family: sans-serif; fill: #222 } @media (prefers-color-scheme: dark) { .word { fill: #eee } }"
    "</style>"
    '<g clip-path="url(#clip)" transform="translate(2 2)"><rect width="36" height="36" rx="6" fill="url(#sky)"/>'
    '<ellipse cx="18" cy="18" rx="8" ry="6" style="fill: url(\'#sun\'); stroke: #000; stroke-width: .5"/>'
    '<use href="#dot" x="26"/><use xlink:href="#dot" y="26"/>'
    '<path d="M40 30 L50 10 L60 30 Z" fill-rule="evenodd"/><polygon points="62,30 72,10 82,30"/></g>'
    '<text class="word" x="86" y="26" font-size="14">Acme<tspan dx="2">.</tspan></text>'
)

ATTACKS = [
    pytest.param(
        svg("<rect/>", before='<?xml-stylesheet type="text/css" href="http://evil.example/x.css"?>'),
        "processing instruction (<?xml-stylesheet …?>)",
        id="xml-stylesheet",
    ),
    pytest.param(
        svg('<use href="#r"/><rect id="r"/>', attributes=' xml:base="http://evil.example/"'),
        "attribute xml:base on <svg>",
        id="xml-base",
    ),
    pytest.param(
        svg("<rect style=\"fill: image-set('http://evil.example/p.png' 1x)\"/>"), "image-set(…)", id="image-set"
    ),
    pytest.param(
        svg('<rect style="fill: u\\72 l(http://evil.example/p.png)"/>'),
        "outside the file (http://evil.example/p.png)",
        id="css-escape-short",
    ),
    pytest.param(
        svg('<rect style="fill: u\\000072 l(http://evil.example/p.png)"/>'),
        "outside the file (http://evil.example/p.png)",
        id="css-escape-six-digits",
    ),
    pytest.param(
        svg("<style>rect { fill: \\u\\r\\l(http://evil.example/p.png) }</style>"),
        "outside the file (http://evil.example/p.png)",
        id="css-escape-letters",
    ),
    pytest.param(
        svg('<rect fill="&#117;rl(http://evil.example/p.png)"/>'),
        "outside the file (http://evil.example/p.png)",
        id="character-reference",
    ),
    pytest.param(svg("<style>@import 'http://evil.example/a.css';</style>"), "@import", id="import"),
    pytest.param(svg('<rect style="width: expression(alert(1))"/>'), "expression(…)", id="expression"),
    pytest.param(svg("<script>alert(1)</script>"), "contains a script", id="script"),
    pytest.param(svg('<rect onload="alert(1)"/>'), "event handler attribute (onload)", id="onload"),
    pytest.param(svg("<foreignObject><p>hi</p></foreignObject>"), "foreignObject", id="foreign-object"),
    pytest.param(svg('<image href="http://evil.example/p.png"/>'), "an image element", id="external-image"),
    pytest.param(
        svg('<use href="http://evil.example/sprite.svg#x"/>'),
        "outside the file (http://evil.example/sprite.svg#x)",
        id="external-use",
    ),
    pytest.param(
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        "declares a DTD or entities",
        id="billion-laughs",
    ),
]


@pytest.fixture
def admin_client(client):
    acme = member(MembershipTierFactory(), name="Acme", slug="acme", logo="")
    client.force_login(role_for(acme, "admin"))
    return client


def upload(client, data: bytes, name: str = "acme.svg"):
    return client.post(URL, {**PROFILE, "logo": SimpleUploadedFile(name, data, content_type="image/svg+xml")})


@pytest.mark.parametrize(("data", "words"), ATTACKS)
def test_an_svg_that_could_run_or_fetch_is_refused_naming_what(admin_client, data, words):
    response = upload(admin_client, data)
    assert response.status_code == 400
    assert words in unescape(response.content.decode())
    assert not Organization.objects.get(slug="acme").logo


def test_a_plain_logo_is_kept_as_svg_and_served_as_an_svg_image(admin_client):
    response = upload(admin_client, PLAIN_LOGO)
    assert response.status_code == 302, unescape(response.content.decode())
    logo = Organization.objects.get(slug="acme").logo
    assert logo.name.endswith(".svg")
    served = serve(RequestFactory().get(logo.url), logo.name, document_root=settings.MEDIA_ROOT)
    assert served["Content-Type"] == "image/svg+xml"
    assert b"".join(served.streaming_content) == PLAIN_LOGO


def _padded_svg(size: int) -> bytes:
    head = svg('<rect width="1" height="1"/>')
    return head + b" " * (size - len(head))


def test_one_megabyte_is_the_limit(admin_client):
    refused = upload(admin_client, _padded_svg(1024 * 1024 + 1))
    assert refused.status_code == 400
    assert "The file is larger than 1 MB; please upload a smaller one." in unescape(refused.content.decode())
    assert upload(admin_client, _padded_svg(1024 * 1024)).status_code == 302


def test_a_stored_logo_is_not_checked_again_when_the_profile_is_saved(admin_client):
    acme = Organization.objects.get(slug="acme")
    # Stored before today's rules (an embedded picture, larger than 1 MB): kept until someone replaces it.
    old = svg('<image href="data:image/png;base64,iVBORw0KGgo="/>') + b" " * (1024 * 1024)
    acme.logo.save("old.svg", ContentFile(old), save=True)
    response = admin_client.post(URL, {**PROFILE, "name": "Acme Cloud"})
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Cloud" and Path(acme.logo.path).read_bytes() == old
