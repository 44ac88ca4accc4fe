"""Django's Redis cache, keeping one client per connection pool, and degrading when Redis is down.

Django builds a new `redis.Redis` for every cache call, and redis-py's constructor fills a table of
~170 response callbacks each time: about a third of a page-cache hit's CPU. The client is
thread-safe and stateless beyond its pool, so one per pool serves every call.

Django's cache raises when Redis cannot be reached, and the cache serves the page cache, rate limits
and sessions' neighbours: an outage would answer every page with a 500. Here a call that cannot reach
Redis answers as a cache that holds nothing (a miss, a write that did not stick), so pages render
uncached; the outage is logged once, and its end once.
"""

import logging
import threading
from functools import wraps

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CacheUnavailable(ValueError):
    """Raised by `incr` while Redis is down: the callers already treat a ValueError as "no such key"."""


def _degrades(missing):
    """Wrap a client call: when Redis cannot be reached, return `missing(args)` (or raise it) instead."""

    def decorate(method):
        @wraps(method)
        def call(self, *args, **kwargs):
            try:
                result = method(self, *args, **kwargs)
            except _UNREACHABLE as exc:
                self._went_down(exc)
                answer = missing(*args, **kwargs)
                if isinstance(answer, Exception):
                    raise answer from exc
                return answer
            if self._down:
                self._came_back()
            return result

        return call

    return decorate


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._down = False
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _went_down(self, exc: BaseException) -> None:
        with self._lock:
            if self._down:
                return
            self._down = True
        logger.error("The cache (Redis) cannot be reached; pages render uncached until it is back: %s", exc)

    def _came_back(self) -> None:
        with self._lock:
            if not self._down:
                return
            self._down = False
        logger.warning("The cache (Redis) is reachable again.")

    add = _degrades(lambda key, value, timeout: False)(django_redis.RedisCacheClient.add)
    get = _degrades(lambda key, default: default)(django_redis.RedisCacheClient.get)
    set = _degrades(lambda key, value, timeout: None)(django_redis.RedisCacheClient.set)
    touch = _degrades(lambda key, timeout: False)(django_redis.RedisCacheClient.touch)
    delete = _degrades(lambda key: False)(django_redis.RedisCacheClient.delete)
    get_many = _degrades(lambda keys: {})(django_redis.RedisCacheClient.get_many)
    has_key = _degrades(lambda key: False)(django_redis.RedisCacheClient.has_key)
    incr = _degrades(lambda key, delta: CacheUnavailable("The cache is unavailable."))(
        django_redis.RedisCacheClient.incr
    )
    set_many = _degrades(lambda data, timeout: [])(django_redis.RedisCacheClient.set_many)
    delete_many = _degrades(lambda keys: None)(django_redis.RedisCacheClient.delete_many)
    clear = _degrades(lambda: False)(django_redis.RedisCacheClient.clear)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
