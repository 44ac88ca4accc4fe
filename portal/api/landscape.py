"""The foundation as a CNCF landscape: `landscape.yml` and the bundle (`landscape.zip`) that builds.

The YAML follows the landscape format as cncf/landscape and landscape2 read it:

    landscape:
      - category:
        name: Open Infrastructure Foundation Projects
        subcategories:
          - subcategory:
            name: Incubating
            items:
              - item:
                name: Zuul
                homepage_url: https://zuul-ci.org/
                logo: zuul.svg
                project: incubating

`category:`, `subcategory:` and `item:` are empty markers beside the entry's own keys. A landscape
wants every item's `logo` as a file name under `hosted_logos/`, so the logo of each project and member
is named from its slug, and the bundle holds the files; an item with no logo gets a plain SVG with its
name, since landscape2 requires one. Project statuses become landscape2 maturities through the
`LANDSCAPE_MATURITY` setting; members are grouped by tier and carry the date they joined.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from members.selectors import members_for_landscape, tiers_in_rank_order
from portal.site.pages.projects import ProjectStatus
from portal.site.selectors import projects_for_api

# The maturities landscape2 draws specially (graduated, incubating and sandbox with their dates in
# `extra`; archived greyed out); any other value is accepted but means nothing to it.
LANDSCAPE2_MATURITIES = ("graduated", "incubating", "sandbox", "archived")
LOGOS_DIR = "hosted_logos"
VECTOR_EXTENSIONS = {".svg"}


@dataclass
class Logo:
    """One file of `hosted_logos/`: the stored file to copy, or None for a generated placeholder."""

    filename: str
    owner: str
    source: object = None  # a Django File (FieldFile) or None

    @property
    def raster(self) -> bool:
        return self.source is not None and posixpath.splitext(self.filename)[1] not in VECTOR_EXTENSIONS

    def content(self) -> bytes:
        if self.source is None:
            return _placeholder_svg(self.owner)
        self.source.open("rb")
        try:
            return self.source.read()
        finally:
            self.source.close()


@dataclass
class Landscape:
    data: dict
    logos: list[Logo] = field(default_factory=list)


def _placeholder_svg(name: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 120" role="img">'
        f"<title>{escape(name)}</title>"
        '<rect width="400" height="120" fill="#ffffff"/>'
        '<text x="200" y="70" font-family="sans-serif" font-size="28" text-anchor="middle" fill="#1f2937">'
        f"{escape(name)}</text></svg>\n"
    ).encode()


def maturity(status: str) -> str:
    """A project status as the landscape2 maturity the LANDSCAPE_MATURITY setting maps it to."""
    mapping = settings.LANDSCAPE_MATURITY
    value = mapping.get(status)
    if value not in LANDSCAPE2_MATURITIES:
        raise ImproperlyConfigured(
            f"LANDSCAPE_MATURITY maps project status {status!r} to {value!r}; "
            f"use one of {', '.join(LANDSCAPE2_MATURITIES)}."
        )
    return value


class _Names:
    """File names from slugs, unique within the bundle (a project and a member may share a slug)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, slug: str, source_name: str, *, suffix: str) -> str:
        extension = posixpath.splitext(source_name)[1].lower() or ".svg"
        name = f"{slug}{extension}"
        if name in self.taken:
            name = f"{slug}-{suffix}{extension}"
        self.taken.add(name)
        return name


def landscape(absolute: Callable[[str], str]) -> Landscape:
    """The projects (a subcategory per status) and the members (one per tier, in rank order), with the logo
    files they name. `absolute(path)` makes a site path an absolute URL."""
    names = _Names()
    logos: list[Logo] = []

    def logo_for(item: dict, slug: str, name: str, source, *, suffix: str) -> None:
        filename = names(slug, source.name if source else "", suffix=suffix)
        logos.append(Logo(filename=filename, owner=name, source=source))
        item["logo"] = filename

    projects_by_status: dict[str, list[dict]] = {}
    for project in projects_for_api():
        item: dict = {
            "item": None,
            "name": project.title,
            "homepage_url": project.website or absolute(project.get_url()),
        }
        logo_for(item, project.slug, project.title, project.logo.file if project.logo_id else None, suffix="project")
        if project.tagline:
            item["description"] = project.tagline
        if project.repository:
            item["repo_url"] = project.repository
        item["project"] = maturity(project.status)
        projects_by_status.setdefault(project.status, []).append(item)

    members_by_tier: dict[int, list[dict]] = {}
    for organization in members_for_landscape():
        item = {
            "item": None,
            "name": organization.name,
            "homepage_url": organization.website or absolute(f"/members/{organization.slug}/"),
        }
        logo_for(item, organization.slug, organization.name, organization.logo or None, suffix="member")
        if organization.description:
            item["description"] = organization.description
        if organization.member_since:
            joined = organization.member_since.isoformat()
            item["joined"] = joined  # landscape2's field
            item["extra"] = {"joined": joined}  # where cncf/landscape's member entries keep it
        members_by_tier.setdefault(organization.tier_id, []).append(item)

    project_subcategories = [
        {"subcategory": None, "name": label, "items": projects_by_status[value]}
        for value, label in ProjectStatus.choices
        if value in projects_by_status
    ]
    member_subcategories = [
        {"subcategory": None, "name": tier.name, "items": members_by_tier[tier.pk]}
        for tier in tiers_in_rank_order()
        if tier.pk in members_by_tier
    ]
    foundation = settings.WAGTAIL_SITE_NAME
    categories = []
    if project_subcategories:
        categories.append({"category": None, "name": f"{foundation} Projects", "subcategories": project_subcategories})
    if member_subcategories:
        categories.append({"category": None, "name": f"{foundation} Members", "subcategories": member_subcategories})
    return Landscape(data={"landscape": categories}, logos=logos)


class _LandscapeDumper(yaml.SafeDumper):
    """Writes None as an empty value, so markers read `- category:` as in upstream files, and indents
    lists under their key as those files do."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_LandscapeDumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def landscape_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_LandscapeDumper, sort_keys=False, allow_unicode=True, width=1000)


def settings_yaml(absolute: Callable[[str], str]) -> str:
    """A starting `settings.yml` for landscape2: the foundation and its site; the rest is the builder's."""
    return landscape_yaml({"foundation": settings.WAGTAIL_SITE_NAME, "url": absolute("/")})


def _readme(bundle: Landscape) -> str:
    raster = sorted(bundle.logos, key=lambda logo: logo.filename)
    raster = [logo for logo in raster if logo.raster]
    placeholders = [logo for logo in bundle.logos if logo.source is None]
    lines = [
        f"# {settings.WAGTAIL_SITE_NAME} landscape",
        "",
        "Build it with landscape2 (https://github.com/cncf/landscape2):",
        "",
        "    landscape2 build --data-file landscape.yml --settings-file settings.yml \\",
        "        --logos-path hosted_logos --output-dir build",
        "",
        "`settings.yml` is a stub: add colours, a header logo and the rest as landscape2's documentation shows.",
        "Project maturities come from each project's status through the portal's LANDSCAPE_MATURITY setting.",
        "",
        "## Logos",
        "",
        "landscape2 asks for SVG logos. These have only a raster logo (PNG or JPEG), which landscape2 may refuse",
        "or show blurred: ask their owners for an SVG.",
        "",
    ]
    lines += [f"- {logo.filename} ({logo.owner})" for logo in raster] or ["- none"]
    lines += ["", "These had no logo, so the bundle holds a placeholder SVG with their name:", ""]
    lines += [f"- {logo.filename} ({logo.owner})" for logo in placeholders] or ["- none"]
    return "\n".join(lines) + "\n"


def landscape_files(absolute: Callable[[str], str]) -> dict[str, bytes]:
    """Every file of the bundle by its path: landscape.yml, settings.yml, README.md and hosted_logos/…"""
    bundle = landscape(absolute)
    files = {
        "landscape.yml": landscape_yaml(bundle.data).encode(),
        "settings.yml": settings_yaml(absolute).encode(),
        "README.md": _readme(bundle).encode(),
    }
    for logo in bundle.logos:
        files[f"{LOGOS_DIR}/{logo.filename}"] = logo.content()
    return files


def landscape_zip(absolute: Callable[[str], str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in landscape_files(absolute).items():
            # A fixed date, so the same data makes the same bytes (and the same ETag).
            archive.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
