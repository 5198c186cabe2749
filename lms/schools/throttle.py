"""Login throttling: count failed logins per username and per client address in the cache; lock both out.

A guessed password for one student must not be found by trying every combination, and one machine in a computer
lab must not be able to lock every account by trying them all: usernames have a low limit, addresses a higher one.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Lockout:
    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))


def _config() -> dict[str, int]:
    return settings.LOGIN_THROTTLE


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-throttle:{kind}:{digest}"


def client_ip(request) -> str:
    if request is None:
        return ""
    # Behind the production proxy REMOTE_ADDR is the proxy; the proxy appends the real client last.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _subjects(username: str | None, request) -> list[tuple[str, str, int]]:
    config = _config()
    subjects = []
    if username:
        subjects.append(("user", username, config["MAX_FAILURES"]))
    ip = client_ip(request)
    if ip:
        subjects.append(("ip", ip, config["IP_MAX_FAILURES"]))
    return subjects


def get_lockout(username: str | None, request) -> Lockout | None:
    now = time.time()
    for kind, value, _limit in _subjects(username, request):
        until = cache.get(_key(f"{kind}-locked", value))
        if until and until > now:
            return Lockout(seconds_left=int(until - now))
    return None


def record_failure(username: str | None, request) -> None:
    config = _config()
    now = time.time()
    for kind, value, limit in _subjects(username, request):
        key = _key(kind, value)
        if cache.add(key, 1, timeout=config["WINDOW"]):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=config["WINDOW"])
                count = 1
        if count >= limit:
            cache.set(_key(f"{kind}-locked", value), now + config["LOCKOUT"], timeout=config["LOCKOUT"])
            cache.delete(key)


def record_success(username: str | None, request) -> None:
    # Only the username's counter is cleared: a correct login from a shared address says nothing about the others.
    if username:
        cache.delete(_key("user", username))
