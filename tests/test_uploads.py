"""Uploads are checked by content: each refusal says why (portal/core/uploads.py)."""

from io import BytesIO

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.core.uploads import validate_image, validate_logo


def _raster(fmt: str, size=(40, 20)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (179, 22, 43)).save(buffer, format=fmt)
    return buffer.getvalue()


def _svg(body: str, extra_ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink"{extra_ns} viewBox="0 0 10 10">{body}</svg>'
    ).encode()


GOOD_SVG = _svg(
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#b3162b"/></linearGradient></defs>'
    '<rect id="r" width="10" height="10" fill="url(#g)" style="stroke: #000"/><use xlink:href="#r"/>'
    "<title>Kestrel Bank</title>"
)


def _refusal(data, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_logo(data, **kwargs)
    return caught.value


@pytest.mark.parametrize(("data", "kind"), [(_raster("PNG"), "png"), (_raster("JPEG"), "jpeg"), (GOOD_SVG, "svg")])
def test_clean_logos_pass(data, kind):
    assert validate_logo(SimpleUploadedFile("logo", data)) == kind


def test_a_file_is_judged_by_its_bytes_not_its_name():
    upload = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    assert _refusal(upload).code == "not_an_image"
    renamed_svg = SimpleUploadedFile("logo.png", GOOD_SVG, content_type="image/png")
    assert validate_logo(renamed_svg) == "svg"


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        pytest.param(_svg("<script>alert(1)</script>"), "svg_forbidden_element", "contains a script", id="script"),
        pytest.param(
            _svg('<rect width="1" height="1" onload="alert(1)"/>'), "svg_event_handler", "(onload)", id="onload"
        ),
        pytest.param(_svg('<g onClick="x()"/>'), "svg_event_handler", "(onClick)", id="onclick-any-case"),
        pytest.param(
            _svg("<foreignObject><div>hi</div></foreignObject>"), "svg_forbidden_element", "foreignObject", id="fobj"
        ),
        pytest.param(
            _svg('<image href="https://tracker.example/p.png" width="1" height="1"/>'),
            "svg_forbidden_element",
            "an image element",
            id="external-image",
        ),
        pytest.param(
            _svg('<a xlink:href="javascript:alert(1)"><text>x</text></a>'),
            "svg_forbidden_element",
            "contains a link",
            id="javascript-link",
        ),
        pytest.param(
            _svg('<rect style="fill: url(https://evil.example/x.svg#p)"/>'),
            "svg_external_reference",
            "https://evil.example",
            id="css-url",
        ),
        pytest.param(
            _svg("<style>@import 'https://evil.example/a.css';</style>"),
            "svg_unsafe_css",
            "use @import",
            id="css-import",
        ),
        pytest.param(
            _svg('<set attributeName="href" to="javascript:alert(1)"/>'), "svg_forbidden_element", "animation", id="set"
        ),
        pytest.param(
            _svg('<h:p xmlns:h="http://www.w3.org/1999/xhtml">hi</h:p>'),
            "svg_foreign_element",
            "non-SVG element (p)",
            id="xhtml",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol">]><svg xmlns="http://www.w3.org/2000/svg">&lol;</svg>',
            "svg_dtd",
            "DTD or entities",
            id="entities",
        ),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "svg_malformed", "well-formed", id="bad"),
        pytest.param(b'<?xml version="1.0"?><html><body/></html>', "svg_not_svg", "not an SVG", id="not-svg"),
    ],
)
def test_unsafe_svg_is_refused_with_the_reason(data, code, words):
    error = _refusal(data)
    assert error.code == code
    assert words in error.messages[0]


def test_damaged_and_wrong_raster_images_are_refused():
    assert _refusal(_raster("PNG")[:60]).code == "damaged"
    assert _refusal(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50).code == "damaged"
    gif = _refusal(_raster("GIF"))
    assert gif.code == "wrong_format" and "GIF image; only PNG and JPEG" in gif.messages[0]
    assert _refusal(b"").code == "empty"


def test_size_and_pixel_limits():
    big = SimpleUploadedFile("big.png", _raster("PNG"))
    error = _refusal(big, max_bytes=20)
    assert error.code == "too_large" and "larger than 20 bytes" in error.messages[0]
    huge = _refusal(_raster("PNG", size=(6000, 5000)))
    assert huge.code == "too_many_pixels" and "6000 x 5000" in huge.messages[0]


def test_photos_accept_raster_only_and_the_file_stays_readable():
    upload = SimpleUploadedFile("photo.jpg", _raster("JPEG"))
    assert validate_image(upload) == "jpeg"
    assert upload.read(3) == b"\xff\xd8\xff"  # rewound for whoever saves it
    with pytest.raises(ValidationError):
        validate_image(GOOD_SVG)


def test_a_form_field_shows_the_refusal_next_to_the_field():
    class LogoForm(forms.Form):
        logo = forms.FileField(validators=[validate_logo])

    form = LogoForm(files={"logo": SimpleUploadedFile("l.svg", _svg("<script>x</script>"))})
    assert not form.is_valid()
    assert form.errors["logo"] == ["The SVG contains a script, which is not allowed in an uploaded image."]


def _logo_fields():
    from events.models import SponsorLogo, Sponsorship
    from members.models import MembershipApplication, Organization
    from portal.site.snippets import SiteSettings

    fields = [
        model._meta.get_field("logo") for model in (Organization, MembershipApplication, Sponsorship, SiteSettings)
    ]
    return [*fields, SponsorLogo._meta.get_field("file")]


LOGO_FIELDS = ["organisation", "application", "sponsor", "site", "sponsor material"]


@pytest.mark.parametrize("index", range(len(LOGO_FIELDS)), ids=LOGO_FIELDS)
def test_every_logo_field_has_the_one_limit_and_the_svg_checks(index, settings):
    field = _logo_fields()[index]
    padded = GOOD_SVG + b" " * (1024 * 1024 - len(GOOD_SVG))
    field.run_validators(SimpleUploadedFile("logo.svg", padded))
    with pytest.raises(ValidationError) as caught:
        field.run_validators(SimpleUploadedFile("logo.svg", padded + b" "))
    assert caught.value.messages == ["The file is larger than 1 MB; please upload a smaller one."]
    with pytest.raises(ValidationError) as caught:
        field.run_validators(SimpleUploadedFile("logo.svg", _svg('<image href="http://evil.example/p.png"/>')))
    assert "image element" in caught.value.messages[0]
    settings.MAX_LOGO_BYTES = 2048
    with pytest.raises(ValidationError) as caught:
        field.run_validators(SimpleUploadedFile("logo.svg", padded[:4096]))
    assert caught.value.messages == ["The file is larger than 2 KB; please upload a smaller one."]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("<style>rect{fill:u/**/rl(http://e.example/x)}</style>", "http://e.example/x"),
        ('<rect style="fill: -webkit-image-set(url(#a) 1x)"/>', "-webkit-image-set(…)"),
        ('<rect style="fill: url(java\\73 cript:alert(1))"/>', "javascript: address"),
        ("<style>@font-face{font-family:x;src:local(x)}</style>", "@font-face"),
        ("<style>rect{fill:U\\000052L(http://e.example/x)}</style>", "http://e.example/x"),
        ('<rect x:onload="x()" xmlns:x="http://evil.example/ns"/>', "event handler attribute (onload)"),
        ('<rect data:x="1" xmlns:data="http://evil.example/ns"/>', "attribute {http://evil.example/ns}x"),
        ('<rect formaction="http://e.example/"/>', "attribute formaction on <rect>"),
        ("<feImage href='#a'/>", "feImage"),
        ("<mpath href='#a'/>", "<mpath> element"),
    ],
)
def test_css_and_attribute_tricks_are_refused(body, words):
    assert words in _refusal(_svg(body)).messages[0]


def test_an_inkscape_file_with_its_editor_metadata_passes():
    inkscape = _svg(
        '<sodipodi:namedview id="base" inkscape:zoom="1"/><g inkscape:label="Layer 1" inkscape:groupmode="layer">'
        '<path d="M0 0h10v10z" style="fill:#b3162b;fill-opacity:1"/></g>',
        extra_ns=' xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"'
        ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"',
    )
    assert validate_logo(inkscape) == "svg"
