"""The two writes of every proxied call — its usage record and its rate-limit count — commit without
waiting for the disk on PostgreSQL.

A PostgreSQL commit waits until its WAL is flushed to disk: 0.3 ms a commit on the idle disk credhub
was measured on, about 3 ms while other work wrote to it, and every proxied call made two. These two
writes are a log and a counter, so their statement turns ``synchronous_commit`` off for its own
transaction: PostgreSQL answers before the flush, and a crash of the database server (not of credhub)
can lose the last fraction of a second of them (at most three times ``wal_writer_delay``, 0.6 s by
default), never corrupt or reorder anything. Every other write (an admin's change and its audit event)
keeps its durable commit, and so does a transaction one of these writes runs inside. SQLite (WAL,
``synchronous=NORMAL``) does not wait for the disk at a commit, so nothing changes there.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# One row that sets the statement's transaction-local setting: the statement commits alone (autocommit),
# so the setting ends with it, and PostgreSQL reads it at that commit.
_UNFLUSHED = "(SELECT set_config('synchronous_commit', 'off', true)) AS unflushed"


def values(connection: BaseDatabaseWrapper, placeholders: str) -> str:
    """An INSERT's source of one row: ``VALUES (placeholders)``, or on PostgreSQL outside a transaction
    the same row selected through the setting."""
    if connection.vendor == "postgresql" and connection.get_autocommit():
        return f"SELECT {placeholders} FROM {_UNFLUSHED}"  # noqa: S608 - placeholders only, never a value
    return f"VALUES ({placeholders})"
