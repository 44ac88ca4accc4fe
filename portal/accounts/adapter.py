"""allauth adapter: mail speaks in the foundation's name, not the request's host name."""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        site_url = settings.SITE_URL
        site = SimpleNamespace(name=settings.WAGTAIL_SITE_NAME, domain=site_url.split("://", 1)[-1])
        super().send_mail(template_prefix, email, {"current_site": site, **context})
