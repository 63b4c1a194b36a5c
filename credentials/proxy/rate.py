"""The proxy's rate limit: calls per access key per minute, counted in Django's cache (shared by every
process), in fixed one-minute windows."""

from __future__ import annotations

import time

from django.core.cache import cache

WINDOW = 60


def wait_seconds(key_id: str, limit: int, now: float | None = None) -> int | None:
    """Count one call of the key; the seconds until its window ends if the call is over ``limit``, else None."""
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    counter = f"credhub:proxy-calls:{key_id}:{window}"
    # incr first: after the window's first call that is one read and one write, never an add that fails.
    try:
        count = cache.incr(counter)
    except ValueError:
        if cache.add(counter, 1, timeout=WINDOW + 5):
            count = 1
        else:  # another process started the window meanwhile
            count = cache.incr(counter)
    if count > limit:
        return max(1, int((window + 1) * WINDOW - now + 0.999))
    return None
