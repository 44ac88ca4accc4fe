"""Wagtail looks for `wagtail_hooks` in each installed app: the site's admin screens live in portal.site."""

from portal.site import wagtail_hooks  # noqa: F401
