"""The landscape bundle: landscape.yml valid against landscape2's own JSON Schema, a logo file for every
item, maturities from project statuses, members by tier with the date they joined."""

import datetime
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.management import call_command
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from tests.members.factories import MembershipFactory, MembershipTierFactory, OrganizationFactory, member
from tests.portal import factories as pages

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent.parent / "fixtures" / "landscape2" / "data.schema.json").read_text())


@pytest.fixture
def catalogue(site_with_home):
    platinum = MembershipTierFactory(name="Platinum", slug="platinum", rank=1)
    gold = MembershipTierFactory(name="Gold", slug="gold", rank=2)
    acme = OrganizationFactory(name="Acme", slug="acme", website="https://acme.example/")
    MembershipFactory(organization=acme, tier=platinum, starts=datetime.date(2019, 3, 1))
    raster = member(gold, name="Pixel Corp", slug="pixel", website="https://pixel.example/")
    raster.logo.save("pixel.png", ContentFile(get_test_image_file().file.getvalue()), save=True)
    member(gold, name="Airship Ltd", slug="airship", logo=None)  # no logo, and a project's slug
    index = pages.project_index(site_with_home)
    logo = Image.objects.create(title="Zuul logo", file=get_test_image_file(filename="zuul.png"))
    pages.project(index, 1, title="Zuul", slug="zuul", website="https://zuul-ci.example/", logo=logo)
    pages.project(index, 2, title="Airship", slug="airship", status="incubating", website="")
    pages.project(index, 3, title="Old", slug="old", status="archived")


def _bundle(client) -> dict[str, bytes]:
    response = client.get("/api/v1/exports/landscape.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="landscape.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _items(data: dict) -> list[dict]:
    return [item for category in data["landscape"] for sub in category["subcategories"] for item in sub["items"]]


def test_the_bundle_validates_against_landscape2s_schema_and_holds_every_logo(client, catalogue):
    files = _bundle(client)
    data = yaml.safe_load(files["landscape.yml"])

    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    items = _items(data)
    assert len(items) == 6
    for item in items:
        assert f"hosted_logos/{item['logo']}" in files, item["name"]
        assert "/" not in item["logo"] and "://" not in item["logo"]
    logos = {item["name"]: item["logo"] for item in items}
    assert logos == {
        "Zuul": "zuul.png",
        "Airship": "airship.svg",
        "Old": "old.svg",
        "Acme": "acme.svg",
        "Pixel Corp": "pixel.png",
        "Airship Ltd": "airship-member.svg",
    }
    assert files["hosted_logos/pixel.png"].startswith(b"\x89PNG")
    assert files["hosted_logos/acme.svg"] == b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    assert b"<title>Airship Ltd</title>" in files["hosted_logos/airship-member.svg"]
    assert yaml.safe_load(files["settings.yml"]) == {
        "foundation": "Open Infrastructure Foundation",
        "url": "http://testserver/",
    }


def test_a_bundle_that_breaks_the_schema_is_caught(client, catalogue):
    data = yaml.safe_load(_bundle(client)["landscape.yml"])
    del _items(data)[0]["logo"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


def test_the_readme_names_the_raster_only_logos_and_the_placeholders(client, catalogue):
    readme = _bundle(client)["README.md"].decode()
    raster, placeholders = readme.split("placeholder SVG")
    assert "- pixel.png (Pixel Corp)" in raster and "- zuul.png (Zuul)" in raster
    assert "acme.svg" not in readme
    assert "- airship-member.svg (Airship Ltd)" in placeholders and "- airship.svg (Airship)" in placeholders


def test_maturities_come_from_project_statuses_through_the_setting(client, catalogue, settings):
    data = yaml.safe_load(client.get("/api/v1/exports/landscape.yml").content)
    maturity = {item["name"]: item.get("project") for item in _items(data)}
    assert (maturity["Zuul"], maturity["Airship"], maturity["Old"]) == ("graduated", "incubating", "archived")
    assert maturity["Acme"] is None

    settings.LANDSCAPE_MATURITY = {"confirmed": "incubating", "incubating": "sandbox", "archived": "archived"}
    data = yaml.safe_load(client.get("/api/v1/exports/landscape.yml").content)
    maturity = {item["name"]: item.get("project") for item in _items(data)}
    assert (maturity["Zuul"], maturity["Airship"]) == ("incubating", "sandbox")

    settings.LANDSCAPE_MATURITY = {"confirmed": "confirmed", "incubating": "sandbox", "archived": "archived"}
    with pytest.raises(ImproperlyConfigured, match="graduated, incubating, sandbox, archived"):
        client.get("/api/v1/exports/landscape.yml")


def test_members_sit_under_their_tier_with_the_date_they_joined(client, catalogue):
    data = yaml.safe_load(client.get("/api/v1/exports/landscape.yml").content)
    members = data["landscape"][1]
    assert [sub["name"] for sub in members["subcategories"]] == ["Platinum", "Gold"]
    acme = members["subcategories"][0]["items"][0]
    assert acme["joined"] == "2019-03-01" and acme["extra"] == {"joined": "2019-03-01"}


def test_the_command_writes_the_same_bundle(client, catalogue, tmp_path, settings):
    settings.SITE_URL = "http://testserver"
    call_command("export_landscape", str(tmp_path), stdout=io.StringIO())
    written = {str(path.relative_to(tmp_path)): path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert written == _bundle(client)


def test_the_zip_is_the_same_bytes_for_the_same_data(client, catalogue):
    first = client.get("/api/v1/exports/landscape.zip")
    assert client.get("/api/v1/exports/landscape.zip", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
