"""What every page's header needs to know about the person."""

from django.utils.functional import SimpleLazyObject

from portal.core.cache import shows_admin_link


def header(request) -> dict:
    """`shows_admin_link`: the person may open the Wagtail admin. Read from the header kind kept per person
    (two permission queries otherwise), and only when a template asks."""
    return {"shows_admin_link": SimpleLazyObject(lambda: _shows_admin_link(request))}


def _shows_admin_link(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and shows_admin_link(request)
