"""Purge the anonymous page cache when what the public pages show changes: at once, and again when the
change commits (what another process renders in between is from the old rows)."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from events.models import Event, TicketType
from members.models import IndividualMember, Membership, MembershipTier, Organization
from portal.adoption.models import EditionAggregate, SurveyEdition
from portal.core import cache
from portal.site.pages.base import VIEW_RESTRICTIONS_KEY
from portal.site.snippets import CallToAction, FooterLink, SiteSettings


def _purge(sender=None, **kwargs) -> None:
    cache.purge_now_and_after_commit()


def _forget_site_settings(sender=None, instance=None, created=False, **kwargs) -> None:
    cache.forget_now_and_after_commit(f"site-settings:{instance.site_id}")
    # The first page view creates the default row (Wagtail's for_site); that changes no page.
    if not created:
        cache.purge_now_and_after_commit()


def _forget_footer_links(sender=None, **kwargs) -> None:
    cache.forget_now_and_after_commit("footer-links")
    cache.purge_now_and_after_commit()


def _forget_view_restrictions(sender=None, **kwargs) -> None:

    cache.forget_now_and_after_commit(VIEW_RESTRICTIONS_KEY)
    cache.purge_now_and_after_commit()  # a page just restricted must not be served from the cache (nor kept by a process)


def connect() -> None:

    page_published.connect(_purge, dispatch_uid="pagecache-published")
    page_unpublished.connect(_purge, dispatch_uid="pagecache-unpublished")
    page_slug_changed.connect(_purge, dispatch_uid="pagecache-slug")
    post_page_move.connect(_purge, dispatch_uid="pagecache-moved")
    post_delete.connect(_purge, sender=Page, dispatch_uid="pagecache-page-deleted")
    # Site settings are looked up by host under the generation (SiteSettings.for_request).
    post_save.connect(_purge, sender=Site, dispatch_uid="pagecache-site-saved")
    post_delete.connect(_purge, sender=Site, dispatch_uid="pagecache-site-deleted")
    # Pages show members, calls to action, the next event and its tickets (names, prices, sale windows);
    # the cached API lists show members, tiers and adoption figures.
    cached_models = (
        Organization,
        Membership,
        MembershipTier,
        IndividualMember,
        CallToAction,
        Event,
        TicketType,
        EditionAggregate,
        SurveyEdition,
    )
    for model in cached_models:
        post_save.connect(_purge, sender=model, dispatch_uid=f"pagecache-save-{model._meta.label}")
        post_delete.connect(_purge, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}")
    post_save.connect(_forget_site_settings, sender=SiteSettings, dispatch_uid="sitedata-settings-save")
    post_delete.connect(_forget_site_settings, sender=SiteSettings, dispatch_uid="sitedata-settings-delete")
    post_save.connect(_forget_footer_links, sender=FooterLink, dispatch_uid="sitedata-footer-save")
    post_save.connect(_forget_view_restrictions, sender=PageViewRestriction, dispatch_uid="sitedata-restriction-save")
    post_delete.connect(
        _forget_view_restrictions, sender=PageViewRestriction, dispatch_uid="sitedata-restriction-delete"
    )
    post_delete.connect(_forget_footer_links, sender=FooterLink, dispatch_uid="sitedata-footer-delete")
