"""Admin screens for the site's snippets, the page cache's hooks."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.core.cache import keep_for_signed_in, mark_cacheable, mark_same_for_signed_in
from portal.site.snippets import CallToAction, FooterLink

keep_for_signed_in("wagtail_serve")  # the pages _mark_page_cacheable marks


@hooks.register("before_serve_page")
def _mark_page_cacheable(page, request, serve_args, serve_kwargs):
    """Wagtail serves this live page: the anonymous page cache may keep the answer."""
    page_class = page.specific_class
    if getattr(page_class, "cache_anonymous", False) and not getattr(request, "is_preview", False):
        mark_cacheable(request, seconds=getattr(page_class, "cache_seconds", None))
        if not page.get_view_restrictions().exists():
            mark_same_for_signed_in(request)


class FooterLinkViewSet(SnippetViewSet):
    model = FooterLink
    icon = "link"
    list_display = ["label", "url", "sort_order"]
    ordering = ["sort_order", "label"]


class CallToActionViewSet(SnippetViewSet):
    model = CallToAction
    icon = "pick"
    list_display = ["title", "button_label", "link_url"]


class WebsiteGroup(SnippetViewSetGroup):
    menu_label = "Website"
    menu_icon = "globe"
    menu_order = 250
    items = (FooterLinkViewSet, CallToActionViewSet)


register_snippet(WebsiteGroup)


# The audit log and outbox screens register their own hooks on import.
from portal.site import audit_admin, outbox_admin  # noqa: E402,F401
