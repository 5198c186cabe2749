"""The project's Redis cache backend (``lib.cache``): Django's, keeping one client per connection pool, against the
machine's Redis."""

import os
import threading

from django.core.cache.backends.redis import RedisCacheClient

from lib.cache import RedisCache
from tests.support.services import _redis_db_url


def _cache(redis_server):
    db = int(os.environ.get("LMS_TEST_REDIS_DB") or 11)
    return RedisCache(_redis_db_url(db), {"KEY_PREFIX": f"lib-cache-test-{os.getpid()}"})


def test_one_client_per_pool_and_the_cache_works_from_several_threads(redis_server):
    cache = _cache(redis_server)
    assert isinstance(cache._cache, RedisCacheClient)
    assert cache._cache.get_client() is cache._cache.get_client(write=True)  # one server: one pool, one client
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}:{i}", {"n": n, "i": i}, 30)
                assert cache.get(f"k{n}:{i}") == {"n": n, "i": i}
            cache.add(f"count{n}", 0, 30)
            cache.incr(f"count{n}", 5)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get_many([f"count{n}" for n in range(8)]) == {f"count{n}": 5 for n in range(8)}
    assert cache.get_many([f"k3:{i}" for i in range(50)]) == {f"k3:{i}": {"n": 3, "i": i} for i in range(50)}
    cache.delete_many([f"k{n}:{i}" for n in range(8) for i in range(50)] + [f"count{n}" for n in range(8)])
    assert cache.get("k0:0") is None
