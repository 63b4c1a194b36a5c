"""The one query that verifying a key makes: the key by a unique column, its organization, and the role
its user holds there now.

Hand-written, parameterized SQL through ``connection.cursor()`` (the same text on SQLite and
PostgreSQL), selecting only what verification and the API need: never ``secret_hash`` of another row,
never the organization's debug session key. For an access key in a roll, the row also carries the
hash of the secret the roll replaced and until when it works (both columns of the key itself).
The role comes from LEFT JOINs on the membership (unique per user and organization) and the user,
not from a correlated subquery.

The caller compares the stored hashes (current and, in a roll, previous) with the raw row, before any
model instance is built, so that a wrong secret for a known key ID and an unknown key ID cost the same
work. Model instances are then made with their public constructors; the few columns a database hands
back as text (dates, UUIDs and booleans on SQLite, JSON on both) go through their field's ``to_python``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import connections, models, router

from credentials.models import AccessKey, APIKey, Membership, Organization

# Every column of the key and of its organization but one: the organization's debug session key stays in
# the database (left deferred: reading it on such an instance loads it, never shows a stand-in).
# Columns come in the models' field order, so that instances are built from positional values.
UNREAD = {Organization: {"debug_session_key"}}


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.attname not in UNREAD.get(model, ())]


def _reader(field: models.Field, vendor: str) -> Callable[[Any], Any] | None:
    """How a column's raw (non-NULL) value becomes the attribute's value on ``vendor``'s database, or
    None where the driver's value already is it: psycopg hands back aware datetimes, UUIDs and booleans,
    SQLite (through Django's converters) booleans and naive datetimes; both hand back JSON as text."""
    if isinstance(field, models.JSONField):
        return lambda value: json.loads(value) if isinstance(value, str) else value
    if vendor == "postgresql":
        return None
    if isinstance(field, models.DateTimeField):
        # Stored in UTC (USE_TZ): SQLite hands back a naive datetime (or text).
        def to_datetime(value: Any) -> Any:
            if not isinstance(value, datetime):
                value = field.to_python(value)
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

        return to_datetime
    if isinstance(field, models.BooleanField):
        return lambda value: value if isinstance(value, bool) else bool(value)
    if isinstance(field, models.UUIDField):
        return lambda value: value if isinstance(value, UUID) else UUID(str(value))
    return None


def _readers(fields: list[models.Field], vendor: str) -> list[tuple[int, Callable[[Any], Any]]]:
    """Where a row's values need reading on ``vendor``, and how: only those columns are touched."""
    return [(index, reader) for index, field in enumerate(fields) if (reader := _reader(field, vendor)) is not None]


class KeyLookup:
    """``find(value)`` → the raw row of the key whose ``column`` equals ``value``; ``build(row)`` → the key."""

    def __init__(self, model: type[models.Model], column: str, user_column: str) -> None:
        self.model = model
        key_fields, organization_fields = _columns(model), _columns(Organization)
        self.key_count, self.organization_count = len(key_fields), len(organization_fields)
        names = [field.attname for field in key_fields]
        self.hash_index = names.index("secret_hash")
        # An access key in a roll also answers to the secret the roll replaced, until its time is up.
        self.previous_hash_index = names.index("previous_secret_hash") if "previous_secret_hash" in names else None
        self.previous_until_index = (
            names.index("previous_secret_until") if self.previous_hash_index is not None else None
        )
        self.key_fields, self.organization_fields = key_fields, organization_fields
        self.previous_until_field = (
            key_fields[self.previous_until_index] if self.previous_until_index is not None else None
        )
        self.vendor_readers: dict[str, tuple[list, list, Callable[[Any], Any] | None]] = {}
        # Where the organization's unread columns go among its positional values.
        self.organization_gaps = [
            index for index, field in enumerate(Organization._meta.concrete_fields) if field not in organization_fields
        ]
        user = get_user_model()._meta
        key_columns = ", ".join(f"k.{field.column}" for field in key_fields)
        organization_columns = ", ".join(f"o.{field.column}" for field in organization_fields)
        # Only table and column names from the models go into the text; the looked-up value is a parameter.
        self.sql = (
            f"SELECT {key_columns}, {organization_columns}, "  # noqa: S608 - names from the models only
            f"CASE WHEN u.{user.get_field('is_active').column} THEN m.role END "
            f"FROM {model._meta.db_table} k "
            f"JOIN {Organization._meta.db_table} o ON o.id = k.organization_id "
            f"LEFT JOIN {Membership._meta.db_table} m ON m.user_id = k.{user_column} "
            f"AND m.organization_id = k.organization_id "
            f"LEFT JOIN {user.db_table} u ON u.{user.pk.column} = m.user_id "
            f"WHERE k.{column} = %(value)s"
        )

    def find(self, value: str) -> tuple[Sequence[Any] | None, str]:
        """The row (or None) and the database alias it came from."""
        alias = router.db_for_read(self.model)
        with connections[alias].cursor() as cursor:
            # A named parameter: on SQLite, Django then fills it in with one `%` formatting instead of a
            # regular-expression pass over the whole (long) statement on every call.
            cursor.execute(self.sql, {"value": value})
            return cursor.fetchone(), alias

    def stored_hash(self, row: Sequence[Any] | None) -> str | None:
        return None if row is None else row[self.hash_index]

    def previous_hash(self, row: Sequence[Any] | None) -> str | None:
        """The hash of the secret a roll replaced, or None (no row, no roll, or a model without rolls)."""
        if row is None or self.previous_hash_index is None:
            return None
        return row[self.previous_hash_index] or None

    def previous_until(self, row: Sequence[Any], alias: str) -> datetime | None:
        """Until when the replaced secret works, read from the raw row."""
        if self.previous_until_index is None or (value := row[self.previous_until_index]) is None:
            return None
        reader = self._vendor_readers(alias)[2]
        return value if reader is None else reader(value)

    def _vendor_readers(self, alias: str) -> tuple[list, list, Callable[[Any], Any] | None]:
        """The key's and the organization's column readers, and the previous secret's end's, on ``alias``."""
        vendor = connections[alias].vendor
        if vendor not in self.vendor_readers:
            previous_until = self.previous_until_field
            self.vendor_readers[vendor] = (
                _readers(self.key_fields, vendor),
                _readers(self.organization_fields, vendor),
                _reader(previous_until, vendor) if previous_until is not None else None,
            )
        return self.vendor_readers[vendor]

    def build(self, row: Sequence[Any], alias: str) -> tuple[Any, str | None]:
        """The key (``.organization`` set, the organization's debug session key deferred) and its user's role."""
        end = self.key_count + self.organization_count
        key_readers, organization_readers, _ = self._vendor_readers(alias)
        organization_values = _values(organization_readers, row[self.key_count : end])
        for gap in self.organization_gaps:
            organization_values.insert(gap, models.DEFERRED)
        organization = _loaded(Organization(*organization_values), alias)
        key = _loaded(self.model(*_values(key_readers, row[: self.key_count])), alias)
        key.organization = organization
        return key, row[end]


def _values(readers: list[tuple[int, Callable[[Any], Any]]], row: Sequence[Any]) -> list[Any]:
    values = list(row)
    for index, reader in readers:
        if (value := values[index]) is not None:
            values[index] = reader(value)
    return values


def _loaded(instance: Any, alias: str) -> Any:
    # As a row loaded from the database: a later save() updates it instead of trying an insert.
    instance._state.adding = False
    instance._state.db = alias
    return instance


access_key_by_id = KeyLookup(AccessKey, "key_id", "owner_id")
api_key_by_hash = KeyLookup(APIKey, "secret_hash", "created_by_id")
