"""Outbound webhook events raised by Wagtail: "project.updated" when a project page is published."""

from django.conf import settings


def project_published(sender, instance, revision=None, **kwargs) -> None:
    """Tell webhook subscribers that a project page was published (its public data may have changed)."""
    from portal.api.services import webhook_dispatch

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


def connect() -> None:
    from wagtail.signals import page_published

    from portal.pages.projects import ProjectPage

    page_published.connect(project_published, sender=ProjectPage, dispatch_uid="api-webhook-project-updated")
