"""allauth adapter: mail speaks in the foundation's name, not the request's host name."""

from types import SimpleNamespace
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# A page that sends a visitor to sign up (an invitation link) puts its path here: after the e-mail
# verification that sign-up requires, the person logs in and lands back on it.
NEXT_AFTER_VERIFICATION = "next_after_email_verification"


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        site_url = settings.SITE_URL
        site = SimpleNamespace(name=settings.WAGTAIL_SITE_NAME, domain=site_url.split("://", 1)[-1])
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def get_email_verification_redirect_url(self, email_address) -> str:
        request = self.request
        target = request.session.pop(NEXT_AFTER_VERIFICATION, None) if hasattr(request, "session") else None
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
            if request.user.is_authenticated:
                return target
            return f"{reverse('account_login')}?{urlencode({'next': target})}"
        return super().get_email_verification_redirect_url(email_address)
