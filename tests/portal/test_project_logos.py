"""Project logos come from the Wagtail image library: an SVG added there passes the logo allowlist, and a
project page takes a newly chosen logo of at most MAX_LOGO_BYTES (1 MB), like every other logo."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images import get_image_model

from tests.members.test_logo_uploads import PLAIN_LOGO, svg
from tests.portal.factories import project, project_index

pytestmark = pytest.mark.django_db
Image = get_image_model()


def _add(admin_client, data: bytes):
    upload = SimpleUploadedFile("mark.svg", data, content_type="image/svg+xml")
    return admin_client.post("/admin/images/add/", {"title": "Mark", "file": upload})


def test_an_svg_that_fetches_is_refused_by_the_image_library(admin_client):
    stylesheet = svg("<rect/>", before='<?xml-stylesheet href="http://evil.example/x.css"?>')
    response = _add(admin_client, stylesheet)
    assert response.status_code == 200
    assert "processing instruction (&lt;?xml-stylesheet …?&gt;)" in response.content.decode()
    assert not Image.objects.exists()
    assert _add(admin_client, PLAIN_LOGO).status_code == 302
    assert Image.objects.get().file.name.endswith(".svg")


def _image(size: int, name: str) -> Image:
    data = svg('<rect width="1" height="1"/>')
    return Image.objects.create(title=name, file=ContentFile(data + b" " * (size - len(data)), f"{name}.svg"))


def test_a_project_takes_a_new_logo_of_at_most_one_megabyte(site_with_home):
    page = project(project_index(site_with_home), 1)
    page.logo = _image(1024 * 1024 + 1, "big")
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    assert caught.value.message_dict["logo"] == ["The logo is larger than 1 MB; please choose a smaller image."]
    page.logo = _image(1024 * 1024, "fits")
    page.full_clean()


def test_a_logo_already_on_the_project_is_not_checked_again(site_with_home):
    page = project(project_index(site_with_home), 1)
    type(page).objects.filter(pk=page.pk).update(logo=_image(2 * 1024 * 1024, "old"))  # chosen before the limit
    page.refresh_from_db()
    page.tagline = "A new tagline"
    page.full_clean()
