"""Re-encrypting and verifying every stored secret, for ``rotate_encryption_key`` and ``verify_encryption``.

Both walk each encrypted table in primary-key order, one batch at a time (keyset pagination: the next
batch starts after the last key seen), so memory stays constant however many rows there are, and an
interrupted rotation simply starts again: a token already under the primary key is recognised by its
signature and left as it is. A token that no configured key opens is reported and never rewritten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models, reset_queries, router, transaction

from credentials.encryption import DecryptionError, Sealed, decrypt, rotate, under_primary_key
from credentials.models import Credential, OrganizationCredential

ENCRYPTED_MODELS: tuple[type[models.Model], ...] = (Credential, OrganizationCredential)
BATCH_SIZE = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UnreadableSecret:
    """A stored secret that no configured key decrypts: where it is, never what it holds."""

    model: str
    id: str
    organization: str
    child_organization: str | None = None

    def line(self) -> str:
        where = self.organization + (f" / {self.child_organization}" if self.child_organization else "")
        return f"UNREADABLE\t{self.model}\t{self.id}\t{where}"

    def as_dict(self) -> dict[str, Any]:
        row = {"model": self.model, "id": self.id, "organization": self.organization}
        if self.child_organization is not None:
            row["child_organization"] = self.child_organization
        return row


@dataclass
class Report:
    checked: int = 0
    rotated: int = 0
    already_current: int = 0
    not_under_primary_key: int = 0
    per_model: dict[str, int] = field(default_factory=dict)
    unreadable: list[UnreadableSecret] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unreadable


def count_secrets() -> int:
    return sum(model.objects.filter(secrets__isnull=False).count() for model in ENCRYPTED_MODELS)


def _unreadable(model: type[models.Model], pks: list[Any]) -> list[UnreadableSecret]:
    if model is Credential:
        rows = Credential.objects.filter(pk__in=pks).values_list("pk", "organization__slug")
        return [UnreadableSecret("Credential", str(pk), slug) for pk, slug in rows.order_by("pk")]
    rows = OrganizationCredential.objects.filter(pk__in=pks).values_list(
        "pk", "credential__organization__slug", "organization__slug"
    )
    return [UnreadableSecret("OrganizationCredential", str(pk), slug, child) for pk, slug, child in rows.order_by("pk")]


def _read_batch(model: type[models.Model], after: Any, batch_size: int, lock: bool) -> list[tuple[Any, Sealed]]:
    """The next (pk, sealed token) rows after the key ``after``; with ``lock``, locked until the
    transaction ends, so that a secret saved meanwhile is never overwritten with an older one."""
    rows = model.objects.filter(secrets__isnull=False).order_by("pk")
    if after is not None:
        rows = rows.filter(pk__gt=after)
    if lock:
        rows = rows.select_for_update()
    return list(rows.values_list("pk", "secrets")[:batch_size])


def _write_tokens(model: type[models.Model], changed: list[tuple[Any, str, str]]) -> None:
    """Store re-encrypted tokens. Plain SQL, because the ORM's bulk_update builds one CASE branch
    per row (most of the run time); the old token in the WHERE clause makes sure that only the very
    token that was read is replaced."""
    if not changed:
        return
    connection = connections[router.db_for_write(model)]
    pk_field = model._meta.pk
    table = connection.ops.quote_name(model._meta.db_table)
    secrets = connection.ops.quote_name(model._meta.get_field("secrets").column)
    pk_column = connection.ops.quote_name(pk_field.column)
    sql = f"UPDATE {table} SET {secrets} = %s WHERE {pk_column} = %s AND {secrets} = %s"  # noqa: S608 - names quoted
    params = [(new, pk_field.get_db_prep_value(pk, connection), old) for pk, old, new in changed]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def rotate_all(batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> Report:
    """Re-encrypt every stored secret under the primary key, committing batch by batch."""
    report = Report()
    total = count_secrets()
    for model in ENCRYPTED_MODELS:
        report.per_model[model.__name__] = 0
        after = None
        while True:
            with transaction.atomic():
                batch = _read_batch(model, after, batch_size, lock=True)
                if not batch:
                    break
                changed, failed = [], []
                for pk, sealed in batch:
                    if under_primary_key(sealed.token):
                        report.already_current += 1
                        continue
                    try:
                        changed.append((pk, sealed.token, rotate(sealed.token)))
                    except DecryptionError:
                        failed.append(pk)
                _write_tokens(model, changed)
            after = batch[-1][0]
            report.rotated += len(changed)
            report.per_model[model.__name__] += len(changed)
            report.checked += len(batch)
            if failed:
                report.unreadable.extend(_unreadable(model, failed))
            # Under DEBUG Django keeps every query's SQL; forgetting it per batch keeps memory constant.
            reset_queries()
            if progress:
                progress(report.checked, total)
    return report


def verify_all(batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> Report:
    """Check that every stored secret decrypts (and is JSON), and count those not yet under the primary key."""
    report = Report()
    total = count_secrets()
    for model in ENCRYPTED_MODELS:
        report.per_model[model.__name__] = 0
        after = None
        while batch := _read_batch(model, after, batch_size, lock=False):
            after = batch[-1][0]
            failed = []
            for pk, sealed in batch:
                try:
                    json.loads(decrypt(sealed.token))
                except (DecryptionError, ValueError):
                    failed.append(pk)
                    continue
                if not under_primary_key(sealed.token):
                    report.not_under_primary_key += 1
            report.checked += len(batch)
            report.per_model[model.__name__] += len(batch)
            if failed:
                report.unreadable.extend(_unreadable(model, failed))
            reset_queries()
            if progress:
                progress(report.checked, total)
    return report
