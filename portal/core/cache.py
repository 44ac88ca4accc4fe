"""A small full-page cache for anonymous visitors of the public Wagtail pages.

Django's cache middleware skips responses that set cookies, and wagtail-cache does not support
Wagtail 8, so the site keeps its own: a hit is answered before sessions, authentication or the
database are touched. Keys are host + path + query; each page is stored with the generation number
it was rendered under, and purging bumps the generation (any cache backend can do that), so every
cached page goes at once when content changes.

Only responses Wagtail served for a live page are stored (the `before_serve_page` hook marks the
request), only for visitors without a session cookie, and only when the response sets no cookie.

The API's public read-only lists and details (API_CACHE_PREFIXES) go through the same door: an
anonymous GET is answered from the cache when a JSON answer for the same path, query and Accept
header is stored; the same purge drops them when projects, members, tiers or adoption data change.
"""

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http.request import split_domain_port
from django.urls import Resolver404, get_resolver
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.functional import LazyObject, SimpleLazyObject, empty
from django.utils.http import parse_http_date_safe
from wagtail.models import Site

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# Paths Wagtail never serves: no cache lookup at all.
SKIP_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/api/",
    "/health/",
    "/accounts/",
    "/payments/",
    "/static/",
    "/media/",
    "/documents/",
    "/search/",
)
MARK = "_guildhall_page_cacheable"
# The API's public, read-only endpoints: the same for every anonymous caller, purged with the pages.
API_CACHE_PREFIXES = (
    "/api/v1/projects/",
    "/api/v1/members/",
    "/api/v1/tiers/",
    "/api/v1/adoption/",
    "/api/v1/public-clouds/",
)


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _timeout() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 300)


def _first_generation() -> int:
    """Where a generation starts when the cache has none (new, or emptied): a random number, never one used
    before, so the copies a process keeps of an earlier generation's data are not taken for the new one's."""
    return secrets.randbelow(2**62) + 1


def _generation() -> int:
    cache = _cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _first_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY) or _first_generation()
    return generation


GENERATION_ATTR = "_guildhall_page_generation"


def generation(request=None) -> int | None:
    """The current generation, for fragments cached under it (None when the cache is down: do not cache).

    Read once per request: the page cache middleware, the site settings and the fragments share it.
    """
    if request is not None and hasattr(request, GENERATION_ATTR):
        return getattr(request, GENERATION_ATTR)
    try:
        person = _signed_in_person_read(request)
        if person is not None and not hasattr(request, HEADER_KIND_ATTR):
            current, kind = _generation_and_header_kind(person)
            setattr(request, HEADER_KIND_ATTR, kind)
        else:
            current = _generation()
    except Exception:  # noqa: BLE001
        logger.warning("Page cache unavailable; fragments rendered afresh.", exc_info=True)
        current = None
    if request is not None:
        setattr(request, GENERATION_ATTR, current)
    return current


def remember_site(request) -> None:
    """Wagtail looks the Site up by host on every request, and the sites' root paths for every page link;
    keep both under the generation (a Site save bumps it)."""
    if hasattr(request, "_wagtail_site"):
        return
    current = generation(request)
    if current is None:
        return
    hostname = split_domain_port(request._get_raw_host())[0]  # as Wagtail does: no ALLOWED_HOSTS check here
    site = remember_for_generation(
        f"site-for:{current}:{hostname}:{request.get_port()}", lambda: Site._find_for_request(request), current
    )
    if site is not None:
        request._wagtail_site = site
    # Every page link asks for the sites' root paths, from the cache: keep them too (Wagtail reads them from
    # the request first). What changes them (a Site saved, a root page moved or renamed) bumps the generation.
    # Lazily: a page without page links never asks.
    request._wagtail_cached_site_root_paths = SimpleLazyObject(
        lambda: remember_for_generation(f"site-root-paths:{current}", Site.get_site_root_paths, current)
    )


def purge() -> None:
    """Forget every cached page (called when a page is published or member data changes)."""
    cache = _cache()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet: nothing is cached under one
            cache.add(GENERATION_KEY, _first_generation(), timeout=None)
    except Exception:  # noqa: BLE001 - publishing must not fail because the cache is down
        logger.error("Could not purge the page cache; pages may be stale for PAGE_CACHE_SECONDS.", exc_info=True)


def purge_now_and_after_commit() -> None:
    """Purge now, and once more when the surrounding transaction commits (once per transaction however
    many changes it makes). Until then other processes still read the old rows: a page one of them
    renders meanwhile is stored under the first purge's generation, and without the second would be
    served until the next change."""
    purge()
    if transaction.get_connection().in_atomic_block:
        _after_commit().purge = True


class _AfterCommit:
    """What a transaction leaves the cache to do once it commits: site data and people's kinds of header
    forgotten, then one purge (in that order, so no process keeps the old data under the new generation)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.header_kinds: set[str] = set()
        self.purge = False

    def __call__(self) -> None:
        if self.keys:
            forget(*self.keys)
        if self.header_kinds:
            _delete(self.header_kinds)
        if self.purge:
            purge()


def _after_commit() -> _AfterCommit:
    """This transaction's `_AfterCommit`, registered on its first use (a savepoint rolled back drops its
    own registration with it, so a later change registers again)."""
    for _sids, hook, _robust in transaction.get_connection().run_on_commit:
        if isinstance(hook, _AfterCommit):
            return hook
    hook = _AfterCommit()
    transaction.on_commit(hook)
    return hook


def _key_source(request, *, api: bool = False) -> str:
    # HEAD is answered from (and fills) the GET entry: servers drop the body.
    source = f"{request.scheme}|{request.get_host()}|{request.get_full_path()}"
    if api:  # DRF picks the format from the Accept header
        source += "|" + request.META.get("HTTP_ACCEPT", "")
    return source


def _key(source: str) -> str:
    return f"pagecache:{hashlib.sha256(source.encode()).hexdigest()}"


def _generation_and_page(key: str) -> tuple[int, object | None]:
    """The generation and the page stored under `key`, if it was stored under that generation.

    A page is stored with the generation it was rendered in, so both come back in one round trip
    (a hit is otherwise mostly two): a purge bumps the generation, and what was stored before no
    longer matches it.
    """
    found = _cache().get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY)
    if current is None:
        current = _generation()  # a new or emptied cache: start a generation
    stored = found.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == current:
        return current, stored[1]
    return current, None


def _visitor_is_anonymous(request) -> bool:
    """No session or message cookie: nothing about this visitor can change the page."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _conditional(request, cached):
    """A client holding the same version gets a 304, as the view itself would answer."""
    last_modified = cached.get("Last-Modified")
    response = get_conditional_response(
        request,
        etag=cached.get("ETag"),
        last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        response=cached,
    )
    if response is not cached:  # Django's 304 keeps only the caching headers; CORS belongs too
        for header, value in cached.items():
            if header.lower().startswith("access-control-"):
                response[header] = value
    return response


def mark_cacheable(request, *, seconds: int | None = None) -> None:
    """The answer may be kept for anonymous visitors: `seconds`, or PAGE_CACHE_SECONDS."""
    setattr(request, MARK, seconds or True)


def _store(request, response, key: str, current: int) -> None:
    """Keep the rendered answer under `key` with its generation, for as long as the view allowed."""
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    response["X-Page-Cache"] = "miss"
    try:
        seconds = getattr(request, MARK)
        _cache().set(key, (current, response), _timeout() if seconds is True else min(seconds, _timeout()))
    except Exception:  # noqa: BLE001
        logger.warning("Page cache unavailable; page not stored.", exc_info=True)


class AnonymousPageCacheMiddleware:
    """Serve and store anonymous GETs of public pages; place it before the session middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        api = request.path.startswith(API_CACHE_PREFIXES)
        if api:
            if not _visitor_is_anonymous(request):
                return self.get_response(request)
            mark_cacheable(request)
        elif request.path.startswith(SKIP_PREFIXES):
            return self.get_response(request)
        if not _visitor_is_anonymous(request):
            # The Site is remembered by SignedInPageCacheMiddleware, after its one round trip to the cache
            # has read the generation (remembering it here read the generation once more).
            response = self.get_response(request)
            if getattr(request, MARK, False) and not response.has_header("Cache-Control"):
                # Someone with a session may see personal things (their name, drafts): keep it out of shared caches.
                patch_cache_control(response, private=True, no_cache=True)
            return response
        key = _key(_key_source(request, api=api))  # raises DisallowedHost like any view would
        try:
            current, cached = _generation_and_page(key)
        except Exception:  # noqa: BLE001 - a cache outage slows the site down, it must not take it down
            logger.warning("Page cache unavailable; serving without it.", exc_info=True)
            return self.get_response(request)
        setattr(request, GENERATION_ATTR, current)  # the site data and fragments read under it
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return _conditional(request, cached)
        if not api:
            remember_site(request)  # a miss: the page will be rendered (a hit never needs the Site)
        response = self.get_response(request)
        if self._storable(request, response, api=api):
            if not response.has_header("Cache-Control"):  # the API sets its own browser lifetime
                patch_cache_control(response, public=True, max_age=getattr(settings, "PAGE_CACHE_BROWSER_SECONDS", 0))
            _store(request, response, key, current)
        return response

    @staticmethod
    def _storable(request, response, *, api: bool = False) -> bool:
        if not getattr(request, MARK, False) or response.status_code != 200 or response.streaming:
            return False
        if api and not response.get("Content-Type", "").startswith("application/json"):
            return False  # the browsable API's HTML carries a CSRF token and the visitor's state
        # A page that used a CSRF token (a form, e.g. a password-protected page) is personal.
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        cache_control = response.get("Cache-Control", "")
        return "private" not in cache_control and "no-store" not in cache_control


# --- Signed-in visitors ---------------------------------------------------------------------
# A public page differs between signed-in people only in the header's links (My account, and Admin
# for staff) and in any messages waiting for them: the rest is the page anonymous visitors get. So a
# signed-in GET of a public page is kept too, once per kind of header, and served to everyone of that
# kind while the generation lasts; a person with messages waiting gets the page rendered afresh.
SIGNED_IN_MARK = "_guildhall_page_same_for_signed_in"


def mark_same_for_signed_in(request) -> None:
    """Every signed-in person of a kind sees the same answer: a Wagtail page without view restrictions, or a
    view that shows a person nothing but their kind of header and facts (`person_has`). Django views that
    mark themselves cacheable for anonymous visitors may greet a person: they do not call this."""
    setattr(request, SIGNED_IN_MARK, True)


HEADER_KIND_SECONDS = 300
HEADER_KIND_ATTR = "_guildhall_header_kind"


def _header_kind_key(user_id) -> str:
    return f"header-kind:{user_id}"


# Facts about a person that change what a shared page shows them (an offer only a company's admins get),
# registered by the apps that know them: kept with the person's kind of header, so a page shared by
# everyone of a kind asks the database nothing about the person. The app forgets the kinds of the people
# concerned when such a fact may change (forget_header_kinds).
_person_facts: dict[str, Callable] = {}


def register_person_fact(name: str, holds: Callable) -> None:
    """`holds(user) -> bool`: a fact shared pages may differ by (a kind of header of its own)."""
    _person_facts[name] = holds


def _kind_of(user) -> str:
    facts = sorted(name for name, holds in _person_facts.items() if holds(user))
    return "+".join(["staff" if user.has_perm("wagtailadmin.access_admin") else "person", *facts])


def _header_kind(user) -> str:
    """Whether the header shows the Admin link, and the person's facts: queries, so kept a few minutes per
    person and forgotten when their groups, permissions, flags or facts change (portal.accounts.signals)."""
    return _kind_kept(user, _cache().get(_header_kind_key(user.pk)))


def _kind_kept(user, kind: str | None) -> str:
    """The kind the cache held, or (None) the kind worked out and kept."""
    if kind is None:
        kind = _kind_of(user)
        _cache().set(_header_kind_key(user.pk), kind, HEADER_KIND_SECONDS)
    return kind


def _signed_in_person_read(request):
    """The request's person if signed in and already read (the session and the user), else None: reading
    them here would cost a page without a person its session query."""
    user = getattr(request, "user", None) if request is not None else None
    if isinstance(user, LazyObject):
        user = user._wrapped
        if user is empty:
            return None
    return user if user is not None and user.is_authenticated else None


def _generation_and_header_kind(user) -> tuple[int, str]:
    """A signed-in page the page cache does not keep (My account, an order) needs both: one round trip."""
    key = _header_kind_key(user.pk)
    found = _cache().get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY)
    if current is None:
        current = _generation()
    return current, _kind_kept(user, found.get(key))


def header_kind(request) -> str:
    """The signed-in person's kind of header ("staff" or "person", with their facts), read once per request."""
    if not hasattr(request, HEADER_KIND_ATTR):
        try:
            kind = _header_kind(request.user)
        except Exception:  # noqa: BLE001 - without a cache, ask the database
            logger.warning("Header kind not cached.", exc_info=True)
            kind = _kind_of(request.user)
        setattr(request, HEADER_KIND_ATTR, kind)
    return getattr(request, HEADER_KIND_ATTR)


def shows_admin_link(request) -> bool:
    return header_kind(request).split("+")[0] == "staff"


def person_has(request, fact: str) -> bool:
    """Whether the signed-in person holds a registered fact (kept with their kind of header)."""
    return fact in header_kind(request).split("+")[1:]


def forget_header_kinds(user_ids) -> None:
    """These people's admin access may have changed: their next page asks the database again. Forgotten
    now and again when the surrounding transaction commits (a page one of them loads meanwhile reads the
    old rows, and would keep the old kind for HEADER_KIND_SECONDS)."""
    keys = [_header_kind_key(user_id) for user_id in user_ids]
    if not keys:
        return
    _delete(keys)
    if transaction.get_connection().in_atomic_block:
        _after_commit().header_kinds.update(keys)


def _delete(keys) -> None:
    try:
        _cache().delete_many(list(keys))
    except Exception:  # noqa: BLE001
        logger.error("Could not forget %s.", keys, exc_info=True)


def _messages_waiting(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0  # len() reads them without marking them seen


_NOT_FOR_SIGNED_IN = SKIP_PREFIXES + API_CACHE_PREFIXES


# The views whose answers may be kept for a signed-in person (Wagtail's pages, the register page): declared
# by their apps (keep_for_signed_in), and learnt when one is stored. Only these are looked up: every other
# view (an order, a company's admin pages, check-in) is the person's own, and asking the cache for a copy of
# it cost a round trip on each of their requests.
_KEPT_VIEWS: set[str] = set()


def keep_for_signed_in(view_name: str) -> None:
    """This view (a URL name, "app:name") may call mark_same_for_signed_in: look its pages up for signed-in
    people from the process's first request. An undeclared one is looked up once it has been stored."""
    _KEPT_VIEWS.add(view_name)


def _view_name(request) -> str | None:
    """The view the path leads to, as the handler will resolve it (30 µs; a cache round trip costs 150)."""
    try:
        return get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info).view_name
    except Resolver404:
        return None


class SignedInPageCacheMiddleware:
    """Serve and store signed-in GETs of public pages per kind of header; place it after the
    authentication and message middleware. Answers are private: no shared cache keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        public = request.method in ("GET", "HEAD") and not request.path.startswith(_NOT_FOR_SIGNED_IN)
        if not public or user is None or not user.is_authenticated or _messages_waiting(request):
            if public:
                remember_site(request)  # a visitor with a session who is not signed in (or has messages)
            return self.get_response(request)
        if _view_name(request) not in _KEPT_VIEWS:
            return self._unkept_view(request)
        try:
            key = _key(f"{_key_source(request)}|signed-in:{header_kind(request)}")
            current, cached = _generation_and_page(key)
        except Exception:  # noqa: BLE001 - a cache outage slows the site down, it must not take it down
            logger.warning("Page cache unavailable; serving without it.", exc_info=True)
            remember_site(request)
            return self.get_response(request)
        setattr(request, GENERATION_ATTR, current)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        remember_site(request)  # a miss: the page will be rendered, under the generation just read
        response = self.get_response(request)
        if self._storable(request, response):
            patch_cache_control(response, private=True, no_cache=True)
            _store(request, response, key, current)
        return response

    def _unkept_view(self, request):
        """A view not known to be kept for signed-in people: render it without asking for a copy (the page's
        fragments read the generation and the person's kind in one round trip). If it is kept after all,
        store it, and look its pages up from now on."""
        remember_site(request)
        response = self.get_response(request)
        if self._storable(request, response):
            _KEPT_VIEWS.add(request.resolver_match.view_name)
            patch_cache_control(response, private=True, no_cache=True)
            current = generation(request)  # None when the cache is down: nothing to store it in
            if current is not None:
                _store(request, response, _key(f"{_key_source(request)}|signed-in:{header_kind(request)}"), current)
        return response

    @staticmethod
    def _storable(request, response) -> bool:
        if not getattr(request, MARK, False) or not getattr(request, SIGNED_IN_MARK, False):
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or _messages_waiting(request):
            return False  # a form's token, or messages added while rendering, are this person's
        return "no-store" not in response.get("Cache-Control", "")


# --- Site-wide data every page shows (settings, footer links) -----------------------------
# Kept under their own keys, dropped only when that data is saved, so a page publish does not
# make every page pay for them again.
SITE_DATA_SECONDS = 3600


def remember(key: str, producer):
    """The value cached under `key`, computing and storing it when absent."""
    cache = _cache()
    try:
        value = cache.get(f"sitedata:{key}")
    except Exception:  # noqa: BLE001 - without a cache, read the database
        return producer()
    if value is None:
        value = producer()
        try:
            cache.set(f"sitedata:{key}", value, SITE_DATA_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("Could not cache %s.", key, exc_info=True)
    return value


# Copies in this process of the site-wide data, for the generation they were read under. Any change
# to that data bumps the generation (portal.site.signals), which every request reads once: a process
# drops its copies as soon as any process purges, and a page costs no cache round trip for them.
_process_copies: dict[str, object] = {}
_process_generation: list[int | None] = [None]
_process_lock = threading.Lock()


def remember_for_generation(key: str, producer, current: int):
    """`remember(key, producer)`, kept in this process while `current` is the generation."""
    if _process_generation[0] != current:
        with _process_lock:
            if _process_generation[0] != current:
                _process_copies.clear()
                _process_generation[0] = current
    value = _process_copies.get(key)
    if value is not None:
        return value
    value = remember(key, producer)
    with _process_lock:
        if value is not None and _process_generation[0] == current:  # not if another thread moved on
            _process_copies[key] = value
    return value


def remember_for_this_request(key: str, producer):
    """`remember_for_generation` under the generation this process saw last (at the start of the request,
    in the page cache middleware), for code that has no request at hand."""
    current = _process_generation[0]
    if current is None:
        return remember(key, producer)
    return remember_for_generation(key, producer, current)


def forget_process_copies() -> None:
    """Drop this process's copies (tests that empty the cache between them)."""
    with _process_lock:
        _process_copies.clear()
        _process_generation[0] = None


def forget(*keys: str) -> None:
    try:
        _cache().delete_many([f"sitedata:{key}" for key in keys])
    except Exception:  # noqa: BLE001
        logger.error("Could not drop %s from the cache.", keys, exc_info=True)


def forget_now_and_after_commit(*keys: str) -> None:
    """`forget` now, and again when the surrounding transaction commits: another process that reads the
    data meanwhile reads the old rows, and would keep them under these keys for SITE_DATA_SECONDS."""
    forget(*keys)
    if transaction.get_connection().in_atomic_block:
        _after_commit().keys.update(keys)
