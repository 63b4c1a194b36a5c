"""The proxy's rate limit: calls per access key per minute, in fixed one-minute windows, counted where every
server process counts together: in Redis when REDIS_URL is set (the shared cache), else in a counter row
per key in the database.

One round trip per call either way. Through Django's cache API a count costs two in Redis (EXISTS, then
INCR) and five statements on the database cache (a read, then a transaction that counts the table,
reads the row and writes it): about a fifth of a proxied call.
"""

from __future__ import annotations

import functools
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections, router

from credentials import log_writes
from credentials.models import ProxyCallCount

WINDOW = 60


class CountUnavailable(Exception):
    """Neither Redis nor the database counted the call: the proxy refuses it rather than count it as none."""


def wait_seconds(access_key_pk: object, key_id: str, limit: int, now: float | None = None) -> int | None:
    """Count one call of the key; the seconds until its window ends if the call is over ``limit``, else None.

    Raises :class:`CountUnavailable` when the counter could not be reached.
    """
    now = time.time() if now is None else now
    minute = int(now // WINDOW)
    try:
        calls = _count_in_redis(key_id, minute) if settings.REDIS_URL else _count_in_database(access_key_pk, minute)
    except (redis.RedisError, DatabaseError) as error:
        raise CountUnavailable from error
    if calls > limit:
        return max(1, int((minute + 1) * WINDOW - now + 0.999))
    return None


@functools.cache
def _redis(url: str) -> redis.Redis:
    # One client (and connection pool) per process; redis-py opens new connections after a fork.
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def _count_in_redis(key_id: str, minute: int) -> int:
    # The cache's own key prefix, so that installations sharing one Redis count apart.
    name = cache.make_key(f"credhub:proxy-calls:{key_id}:{minute}")
    pipeline = _redis(settings.REDIS_URL).pipeline(transaction=False)
    pipeline.incr(name)
    pipeline.expire(name, WINDOW + 5, nx=True)  # set once, by the window's first call
    calls, _ = pipeline.execute()
    return calls


_TABLE = ProxyCallCount._meta.db_table
# On PostgreSQL the count's commit does not wait for the disk (credentials.log_writes).
_INSERT = f"INSERT INTO {_TABLE} (access_key_id, minute, calls)"  # noqa: S608 - model names only
# A later minute starts the count again; an earlier one (another server's clock behind) counts in the
# current minute rather than reset it.
_ON_CONFLICT = (
    f"ON CONFLICT (access_key_id) DO UPDATE SET "
    f"calls = CASE WHEN excluded.minute > {_TABLE}.minute THEN 1 ELSE {_TABLE}.calls + 1 END, "
    f"minute = CASE WHEN excluded.minute > {_TABLE}.minute THEN excluded.minute ELSE {_TABLE}.minute END "
    "RETURNING calls"
)


def _count_in_database(access_key_pk: object, minute: int) -> int:
    connection = connections[router.db_for_write(ProxyCallCount)]
    with connection.cursor() as cursor:
        key = ProxyCallCount._meta.pk.get_db_prep_value(access_key_pk, connection)
        cursor.execute(f"{_INSERT} {log_writes.values(connection, '%s, %s, 1')} {_ON_CONFLICT}", [key, minute])
        return cursor.fetchone()[0]
