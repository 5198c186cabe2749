"""Django's Redis cache backend, keeping one client object per connection pool.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call.
Its connections come from the shared pool either way, but building the client (its response callbacks, a
case-insensitive dict of them) cost ~5 % of a worker's CPU when a whole room started a test at one instant
(``bench/exam_day.py`` under py-spy: every start reads its session from this cache). A ``redis.Redis`` over a
shared pool is safe to use from several threads, so one is kept per pool. Selected by ``CACHE_URL=redis://…``
(``config.settings.components.caches``)."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
