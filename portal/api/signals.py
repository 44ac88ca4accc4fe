"""Outbound webhook events: "project.updated" when a project page is published (Wagtail's signal), and
"member.joined"/"member.lapsed" from the membership services (members.signals: members never imports the API)."""

from django.conf import settings
from wagtail.signals import page_published

from members import signals as members_signals
from portal.api.services import webhook_dispatch
from portal.site.pages.projects import ProjectPage


def project_published(sender, instance, revision=None, **kwargs) -> None:
    """Tell webhook subscribers that a project page was published (its public data may have changed)."""

    base = settings.SITE_URL
    webhook_dispatch(
        event_type="project.updated",
        payload={
            "slug": instance.slug,
            "name": instance.title,
            "url": base + (instance.url or ""),
            "api_url": f"{base}/api/v1/projects/{instance.slug}/",
            "status": instance.status,
            "tagline": instance.tagline,
            "website": instance.website,
            "repository": instance.repository,
            "latest_release": instance.latest_release_name or None,
            "published_at": instance.last_published_at,
        },
    )


def _member(membership) -> dict:
    return {"slug": membership.organization.slug, "name": membership.organization.name, "tier": membership.tier.slug}


def member_joined(sender, membership, **kwargs) -> None:

    webhook_dispatch(event_type="member.joined", payload={**_member(membership), "starts": membership.starts})


def member_lapsed(sender, membership, **kwargs) -> None:

    webhook_dispatch(event_type="member.lapsed", payload={**_member(membership), "ends": membership.ends})


def connect() -> None:

    page_published.connect(project_published, sender=ProjectPage, dispatch_uid="api-webhook-project-updated")
    members_signals.member_joined.connect(member_joined, dispatch_uid="api-webhook-member-joined")
    members_signals.member_lapsed.connect(member_lapsed, dispatch_uid="api-webhook-member-lapsed")
