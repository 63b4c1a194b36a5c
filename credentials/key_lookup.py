"""The one query that verifying a key makes: the key by its ID (or its hash) and the hash of the secret
presented, its organization, and the role its user holds there now.

Hand-written, parameterized SQL through ``connection.cursor()`` (the same text on SQLite and
PostgreSQL), selecting the key's and its organization's columns: never another row's ``secret_hash``,
never the organization's debug session key. The role comes from LEFT JOINs on the membership (unique
per user and organization) and the user, not from a correlated subquery.

The secret is compared in the query: a row comes back only if the presented secret's hash is the key's
(or, for an access key in a roll, the hash of the secret the roll replaced). A wrong secret for a known
key ID and an unknown key ID therefore take exactly the same path: no row. The hashes are HMACs under a
key derived from ``SECRET_KEY``, which a caller cannot compute, so the database's comparison gives away
nothing a caller could steer (the legacy API key has always been found by its hash the same way).

What comes back is a :class:`Found`: verification reads the few columns it checks from the raw row,
converting only those (``found.key.revoked_at``); the model instances are built from the same row, with
their public constructors, only when the request first uses them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from operator import itemgetter
from typing import Any, NamedTuple
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import connections, models, router

from credentials.models import AccessKey, APIKey, Membership, Organization

# Every column of the key and of its organization but one: the organization's debug session key stays in
# the database (left deferred: reading it on such an instance loads it, never shows a stand-in).
# Columns come in the models' field order, so that instances are built from positional values.
UNREAD = {Organization: {"debug_session_key"}}

Reader = Callable[[Any], Any]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.attname not in UNREAD.get(model, ())]


def _reader(field: models.Field, vendor: str) -> Reader | None:
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


def _read(index: int, reader: Reader | None) -> property:
    if reader is None:
        return property(itemgetter(index))

    def read(row: tuple) -> Any:
        value = row[index]
        return value if value is None else reader(value)

    return property(read)


def _columns_view(name: str, places: dict[str, tuple[int, Reader | None]]) -> type[tuple]:
    """A view of a raw row as one model's columns by attribute name (as a named tuple reads its
    fields), each converted when it is read."""
    attributes = {attname: _read(index, reader) for attname, (index, reader) in places.items()}
    return type(name, (tuple,), {"__slots__": (), **attributes})


class Reading(NamedTuple):
    """How one database vendor's rows are read: as column views (verification) and as the key's and
    the organization's positional values (the instances), each column converted by its reader."""

    key_view: type[tuple]
    organization_view: type[tuple]
    key_readers: list[tuple[int, Reader]]
    organization_readers: list[tuple[int, Reader]]


class Found:
    """A key whose secret matched: ``key`` and ``organization`` read single columns from the raw row,
    ``user_role`` is its user's role now (None if gone), ``instance`` is the key as a model instance
    (with ``.organization``), built on first use with whatever ``update`` noted since."""

    def __init__(self, lookup: KeyLookup, row: Sequence[Any], alias: str) -> None:
        self.lookup, self.row, self.alias = lookup, row, alias
        self.reading = lookup.reading(alias)
        self.key, self.organization = self.reading.key_view(row), self.reading.organization_view(row)
        self.user_role = row[-1]
        self.updates: dict[str, Any] = {}

    def update(self, changes: dict[str, Any]) -> None:
        """Note values written to the key's row since it was read, for the instance to carry."""
        self.updates.update(changes)
        if "instance" in self.__dict__:
            for field, value in changes.items():
                setattr(self.instance, field, value)

    @cached_property
    def instance(self) -> Any:
        lookup, row = self.lookup, self.row
        end = lookup.key_count + lookup.organization_count
        organization_values = _values(self.reading.organization_readers, row[lookup.key_count : end])
        for gap in lookup.organization_gaps:
            organization_values.insert(gap, models.DEFERRED)
        organization = _loaded(Organization(*organization_values), self.alias)
        key = _loaded(lookup.model(*_values(self.reading.key_readers, row[: lookup.key_count])), self.alias)
        key.organization = organization
        for field, value in self.updates.items():
            setattr(key, field, value)
        return key


class KeyLookup:
    """``find(**values)`` → the :class:`Found` key matching ``where``, or None."""

    def __init__(self, model: type[models.Model], user_column: str, where: str) -> None:
        self.model = model
        self.key_fields, self.organization_fields = _columns(model), _columns(Organization)
        self.key_count, self.organization_count = len(self.key_fields), len(self.organization_fields)
        self.vendor_reading: dict[str, Reading] = {}
        # Where the organization's unread columns go among its positional values.
        self.organization_gaps = [
            index
            for index, field in enumerate(Organization._meta.concrete_fields)
            if field not in self.organization_fields
        ]
        user = get_user_model()._meta
        key_columns = ", ".join(f"k.{field.column}" for field in self.key_fields)
        organization_columns = ", ".join(f"o.{field.column}" for field in self.organization_fields)
        # Only table and column names from the models go into the text; the looked-up values are parameters.
        self.sql = (
            f"SELECT {key_columns}, {organization_columns}, "  # noqa: S608 - names from the models only
            f"CASE WHEN u.{user.get_field('is_active').column} THEN m.role END "
            f"FROM {model._meta.db_table} k "
            f"JOIN {Organization._meta.db_table} o ON o.id = k.organization_id "
            f"LEFT JOIN {Membership._meta.db_table} m ON m.user_id = k.{user_column} "
            f"AND m.organization_id = k.organization_id "
            f"LEFT JOIN {user.db_table} u ON u.{user.pk.column} = m.user_id "
            f"WHERE {where}"
        )

    def find(self, **values: str) -> Found | None:
        alias = router.db_for_read(self.model)
        with connections[alias].cursor() as cursor:
            # Named parameters: on SQLite, Django then fills them in with one `%` formatting instead of a
            # regular-expression pass over the whole (long) statement on every call.
            cursor.execute(self.sql, values)
            row = cursor.fetchone()
        return None if row is None else Found(self, row, alias)

    def reading(self, alias: str) -> Reading:
        """How rows are read on ``alias``'s database (made once per database vendor)."""
        vendor = connections[alias].vendor
        if (reading := self.vendor_reading.get(vendor)) is None:
            key_readers = [_reader(field, vendor) for field in self.key_fields]
            organization_readers = [_reader(field, vendor) for field in self.organization_fields]
            key_places = {field.attname: (index, key_readers[index]) for index, field in enumerate(self.key_fields)}
            organization_places = {
                field.attname: (self.key_count + index, organization_readers[index])
                for index, field in enumerate(self.organization_fields)
            }
            reading = self.vendor_reading[vendor] = Reading(
                _columns_view(f"{self.model.__name__}Columns", key_places),
                _columns_view("OrganizationColumns", organization_places),
                [(index, reader) for index, reader in enumerate(key_readers) if reader],
                [(index, reader) for index, reader in enumerate(organization_readers) if reader],
            )
        return reading


def _values(readers: list[tuple[int, Reader]], row: Sequence[Any]) -> list[Any]:
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


def _column(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).column


# An access key answers to its current secret and, during a roll, to the one the roll replaced (whose
# end the caller checks on the row).
access_key_by_id = KeyLookup(
    AccessKey,
    "owner_id",
    f"k.{_column(AccessKey, 'key_id')} = %(key_id)s AND (k.{_column(AccessKey, 'secret_hash')} = %(hash)s "
    f"OR k.{_column(AccessKey, 'previous_secret_hash')} = %(hash)s)",
)
api_key_by_hash = KeyLookup(APIKey, "created_by_id", f"k.{_column(APIKey, 'secret_hash')} = %(hash)s")
