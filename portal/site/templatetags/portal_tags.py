"""Template tags of the public site: SEO meta data, JSON-LD, the footer's links."""

import json

from django import template
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from portal.core.cache import generation, remember, remember_for_generation
from portal.site.snippets import FooterLink, SiteSettings

register = template.Library()

# The characters that could end a <script> element or open a comment, escaped inside JSON strings.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict | None) -> str:
    """Structured data as <script type="application/ld+json">: data, not code, so a strict CSP allows it."""
    if not data:
        return ""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308 - escaped above


@register.simple_tag(takes_context=True)
def seo_meta(context) -> dict:
    """Title, description, canonical URL, OpenGraph values and JSON-LD for the page being shown.

    Views and routes may set `seo_title`, `seo_description`, `canonical_path` and `json_ld` in the context.
    """
    request = context.get("request")
    page = context.get("page")
    site_settings = None
    if request is not None:
        try:
            site_settings = SiteSettings.for_request(request)
        except Exception:  # noqa: BLE001 - no site matches this host: fall back to the defaults
            site_settings = None
    site_name = site_settings.foundation_name if site_settings else "Open Infrastructure Foundation"

    title = context.get("seo_title") or (page and (page.seo_title or page.title)) or site_name
    description = context.get("seo_description") or (page and page.search_description) or ""
    if not description and page is not None:
        description = getattr(page, "tagline", "") or getattr(page, "intro", "") or ""
        if "<" in description:
            description = strip_tags(description)
    if not description and site_settings:
        description = site_settings.tagline
    description = description.strip()
    if len(description) > 300:  # Truncator is costly, and most descriptions are short
        description = Truncator(description).chars(300)

    canonical = ""
    if request is not None:
        canonical_path = context.get("canonical_path")
        if canonical_path:
            canonical = request.build_absolute_uri(canonical_path)
        elif page is not None and hasattr(page, "get_url"):
            canonical = request.build_absolute_uri(page.get_url(request))
        else:
            canonical = request.build_absolute_uri(request.path)

    image = ""
    social_image = getattr(page, "social_image", None) if page is not None else None
    if social_image is not None and request is not None:
        image = request.build_absolute_uri(social_image.get_rendition("fill-1200x630").url)

    json_ld = context.get("json_ld")
    if json_ld is None and page is not None and hasattr(page, "json_ld") and request is not None:
        json_ld = page.json_ld(request)

    return {
        "title": title,
        "description": description,
        "canonical": canonical,
        "site_name": site_name,
        "og_type": getattr(page, "og_type", "website") if page is not None else "website",
        "image": image,
        "json_ld": json_ld_script(json_ld),
    }


@register.simple_tag(takes_context=True)
def site_footer(context) -> str:
    """The footer: the same on every page of a site (its settings and links), so drawn once per process
    and page-cache generation (a save of either purges: a new generation). It cost as much as the rest
    of the page's chrome together on every page the cache does not answer."""
    request = context.get("request")

    def draw() -> str:
        return render_to_string("includes/footer.html", request=request)

    current = generation(request) if request is not None else None
    if current is None:
        return mark_safe(draw())  # noqa: S308 - our own template, rendered with autoescaping
    site = f"{split_domain_port(request.get_host())[0]}:{request.get_port()}"
    return mark_safe(remember_for_generation(f"footer-html:{current}:{site}", draw, current))  # noqa: S308 - as above


@register.simple_tag(takes_context=True)
def footer_links(context) -> list:

    def read() -> list:
        return list(FooterLink.objects.order_by("sort_order", "label"))

    request = context.get("request")
    current = generation(request) if request is not None else None
    if current is None:
        return remember("footer-links", read)
    return remember_for_generation("footer-links", read, current)  # a link saved purges: a new generation


@register.inclusion_tag("includes/org_logo.html")
def org_logo(organization, css_class: str = "", decorative: bool = False) -> dict:
    """An organisation's logo; `decorative` when its name is written right beside it (alt="")."""
    return {"organization": organization, "css_class": css_class, "decorative": decorative}
