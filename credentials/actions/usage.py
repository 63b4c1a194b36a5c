"""The usage log of the credential proxy: one record per call, and its retention.

A usage record is a log, like the audit log, not a change an admin makes: it is written here, once per
proxied call when its answer ends, and no audit event goes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, router
from django.db.models import Q
from django.utils import timezone

from credentials import log_writes
from credentials.models import Credential, Organization, UsageRecord

# "Last used" is written at most this often per credential, so that a busy credential is not written
# on every call.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass
class Call:
    """What the usage log keeps of one proxied call: never a header value, a query string or a body."""

    organization_id: int
    credential: Credential
    access_key_id: object  # the key's primary key
    key_id: str  # its public access key ID
    method: str
    path: str  # without the query string
    at: datetime
    child_organization: Organization | None = None
    status: int | None = None  # the upstream's, when it answered
    error: str = ""  # credhub's reason, when credhub answered itself or the stream ended early
    duration_ms: int = 0
    request_bytes: int = 0
    response_bytes: int = 0


# One INSERT per proxied call, in SQL: through the ORM writing the record took about 250 µs of each
# call, written by hand about 100. Each value is prepared by its field (get_db_prep_save), as the ORM
# would; only the model's table and column names go into the text. On PostgreSQL its commit does not wait
# for the disk (credentials.log_writes).
_USAGE_FIELDS = [field for field in UsageRecord._meta.concrete_fields if not field.primary_key]
_INSERT_USAGE = (
    f"INSERT INTO {UsageRecord._meta.db_table} "  # noqa: S608 - names from the model only
    f"({', '.join(field.column for field in _USAGE_FIELDS)})"
)
_PLACEHOLDERS = ", ".join(["%s"] * len(_USAGE_FIELDS))


def record_usage(call: Call) -> None:
    """Write the call's usage record; a call the upstream answered also keeps the credential's "last used"."""
    child = call.child_organization
    values = {
        "organization_id": call.organization_id,
        "credential_id": call.credential.pk,
        "access_key_id": call.access_key_id,
        "key_id": call.key_id,
        "child_organization_id": child.pk if child is not None else None,
        "at": call.at,
        "method": call.method[:10],
        "path": call.path[: UsageRecord._meta.get_field("path").max_length],
        "status": call.status,
        "error": call.error[:40],
        "duration_ms": max(0, call.duration_ms),
        "request_bytes": call.request_bytes,
        "response_bytes": call.response_bytes,
    }
    connection = connections[router.db_for_write(UsageRecord)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_INSERT_USAGE} {log_writes.values(connection, _PLACEHOLDERS)}",
            [field.get_db_prep_save(values[field.attname], connection) for field in _USAGE_FIELDS],
        )
    if call.status is not None:
        _note_last_used(call.credential, timezone.now())


def _note_last_used(credential: Credential, now: datetime) -> None:
    cutoff = now - LAST_USED_EVERY
    if credential.last_used_at is not None and credential.last_used_at > cutoff:
        return  # written within the minute: no write at all
    Credential.objects.filter(pk=credential.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff)
    ).update(last_used_at=now)
    credential.last_used_at = now


def delete_old_usage(*, days: int | None = None, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the usage records older than ``days`` (``CREDHUB_USAGE_RETENTION_DAYS``); how many there were."""
    days = settings.CREDHUB_USAGE_RETENTION_DAYS if days is None else days
    old = UsageRecord.objects.filter(at__lt=(now or timezone.now()) - timedelta(days=days))
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
