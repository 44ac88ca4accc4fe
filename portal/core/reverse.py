"""`reverse()` with its answers kept: a URL pattern table does not change while a process runs.

Django's reverse walks the resolver's tables for the language, checks the candidate against the
pattern and quotes it, on every call: about an eighth of My account's CPU, for some twenty links
that are the same on every request. Answers are kept per process by everything that can change
them (the name and its arguments, the URLconf, the script prefix, the language, the current app)
and dropped when the URLconf setting changes (tests). A name that does not reverse is not kept.
"""

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.translation import get_language

_KEPT: dict[tuple, str] = {}
_MOST = 20_000  # links to distinct orders are distinct keys: start again rather than grow without end


def reverse(viewname: Any, args: Any = None, kwargs: Any = None, current_app: str | None = None) -> str:
    """django.urls.reverse, for a view name (not a callable) and hashable arguments, remembered."""
    try:
        key = (
            viewname,
            tuple(args) if args else (),
            tuple(sorted(kwargs.items())) if kwargs else (),
            current_app,
            get_urlconf(),
            get_script_prefix(),
            get_language(),
        )
        url = _KEPT.get(key)
    except TypeError:  # an argument that cannot be a key (a list): as Django does, every time
        return django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    if url is None:
        url = django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
        if len(_KEPT) >= _MOST:
            _KEPT.clear()
        _KEPT[key] = url
    return url


@receiver(setting_changed)
def _forget(*, setting: str, **_kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "LANGUAGES", "LANGUAGE_CODE"):
        _KEPT.clear()
