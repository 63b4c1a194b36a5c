"""The one query that verifying a key makes: the key by its ID (or its hash) and the hash of the secret
presented, its organization, and the role it acts with now.

Hand-written, parameterized SQL through ``connection.cursor()`` (the same text on SQLite and
PostgreSQL), selecting only the columns verification checks (each lookup names them): never another
row's ``secret_hash``, never the organization's debug session key. Each column costs the query time on
every request, so the rest of the key and its organization is read by a second query, by the key's
primary key, only when a request first needs it. The role comes from LEFT JOINs on the membership
(unique per user and organization) and the user, not from a correlated subquery.

The secret is compared in the query: a row comes back only if the presented secret's hash is the key's
(or, for an access key in a roll, the hash of the secret the roll replaced). A wrong secret for a known
key ID and an unknown key ID therefore take exactly the same path: no row. The hashes are HMACs under a
key derived from ``SECRET_KEY``, which a caller cannot compute, so the database's comparison gives away
nothing a caller could steer (the legacy API key has always been found by its hash the same way).

What comes back is a :class:`Found`: verification reads its checked columns from the raw row,
converting only those it reads (``found.key.revoked_at``); every column (``found.row``) and the model
instances (``found.instance``, built with their public constructors) come from the second query.
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

# The second query reads every column of the key and of its organization but one: the organization's
# debug session key stays in the database (left deferred: reading it on such an instance loads it,
# never shows a stand-in). Columns come in the models' field order, so that instances are built from
# positional values.
UNREAD = {Organization: {"debug_session_key"}}

Reader = Callable[[Any], Any]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.attname not in UNREAD.get(model, ())]


def _reader(field: models.Field, vendor: str) -> Reader | None:
    """How a column's raw (non-NULL) value becomes the attribute's value on ``vendor``'s database, or
    None where the driver's value already is it: psycopg hands back UUIDs and booleans, SQLite (through
    Django's converters) booleans; both hand back JSON as text, and a checked date and time as text."""
    if isinstance(field, models.JSONField):
        # An empty list (a key allowed from anywhere: most keys) is read on every request.
        return lambda value: ([] if value == "[]" else json.loads(value)) if isinstance(value, str) else value
    if isinstance(field, models.DateTimeField):
        # Stored in UTC (USE_TZ). Selected as text (a checked column: see _checked), SQLite's reads
        # "2026-12-04 09:30:00.123456" and PostgreSQL's "2026-12-04 09:30:00.123456+00" (in ISO form,
        # the DateStyle that psycopg needs anyway); otherwise SQLite hands back a naive datetime and
        # psycopg an aware one. Reading SQLite's text with its offset appended is cheaper than
        # replace(tzinfo=UTC) afterwards (about 0.1 µs against 0.7).
        offset = "" if vendor == "postgresql" else "+00:00"

        def to_datetime(value: Any) -> Any:
            if isinstance(value, str):
                value = datetime.fromisoformat(value + offset)
            elif not isinstance(value, datetime):
                value = field.to_python(value)
            if value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            return value if value.tzinfo is UTC else value.astimezone(UTC)

        return to_datetime
    if vendor == "postgresql":
        return None
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


def _columns_view(name: str, fields: list[models.Field], start: int, vendor: str) -> type[tuple]:
    """A view of a raw row, from ``start`` on, as these columns by attribute name (as a named tuple
    reads its fields), each converted when it is read."""
    attributes = {field.attname: _read(start + index, _reader(field, vendor)) for index, field in enumerate(fields)}
    return type(name, (tuple,), {"__slots__": (), **attributes})


class Checked(NamedTuple):
    """The columns verification reads (attribute names): of the key, and of its organization."""

    key: tuple[str, ...]
    organization: tuple[str, ...]


class Reading(NamedTuple):
    """How one database vendor's rows are read: the checked columns as views (verification), every
    column as views (answers that read more) and as the key's and the organization's positional values
    (the instances), each column converted by its reader."""

    checked_key: type[tuple]
    checked_organization: type[tuple]
    key_view: type[tuple]
    organization_view: type[tuple]
    key_readers: list[tuple[int, Reader]]
    organization_readers: list[tuple[int, Reader]]


class Row(NamedTuple):
    """Every column of the key and of its organization (but the debug session key), read as views."""

    key: tuple
    organization: tuple


class KeyGone(Exception):
    """The verified key's row was deleted before the request read the rest of it."""


class Found:
    """A key whose secret matched: ``key`` and ``organization`` read the checked columns from the raw
    row, ``role`` is the role the key acts with (None if its user is gone). ``row`` (every column) and
    ``instance`` (the key as a model instance, with ``.organization``) come from a second query, made
    on first use only: most requests never need them."""

    def __init__(self, lookup: KeyLookup, row: Sequence[Any], alias: str, reading: Reading) -> None:
        self.lookup, self.alias, self.reading = lookup, alias, reading
        self.key, self.organization = reading.checked_key(row), reading.checked_organization(row)
        self.role = row[-1]

    def update(self, changes: dict[str, Any]) -> None:
        """Note values written to the key's row since it was read on the instance, if it was built (one
        built later reads them from the database)."""
        if "instance" in self.__dict__:
            for field, value in changes.items():
                setattr(self.instance, field, value)

    @cached_property
    def full_row(self) -> Sequence[Any]:
        connection = connections[self.alias]
        pk = self.lookup.model._meta.pk.get_db_prep_value(self.key.id, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.lookup.row_sql, {"id": pk})
            row = cursor.fetchone()
        if row is None:
            raise KeyGone
        return row

    @cached_property
    def row(self) -> Row:
        return Row(self.reading.key_view(self.full_row), self.reading.organization_view(self.full_row))

    @cached_property
    def instance(self) -> Any:
        lookup, row, reading = self.lookup, self.full_row, self.reading
        end = lookup.key_count + lookup.organization_count
        organization_values = _values(reading.organization_readers, row[lookup.key_count : end])
        for gap in lookup.organization_gaps:
            organization_values.insert(gap, models.DEFERRED)
        organization = _loaded(Organization(*organization_values), self.alias)
        key = _loaded(lookup.model(*_values(reading.key_readers, row[: lookup.key_count])), self.alias)
        key.organization = organization
        return key


class KeyLookup:
    """``find(**values)`` → the :class:`Found` key matching ``where``, or None. The query selects only
    the ``checked`` columns of the key and of its organization (and the user's role)."""

    def __init__(
        self, model: type[models.Model], user_column: str, where: str, checked: Checked, stored_role: str = ""
    ) -> None:
        self.model = model
        self.checked = checked
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
        checked_columns = ", ".join(
            [_checked(model._meta.get_field(name), "k") for name in checked.key]
            + [_checked(Organization._meta.get_field(name), "o") for name in checked.organization]
        )
        joins = f"FROM {model._meta.db_table} k JOIN {Organization._meta.db_table} o ON o.id = k.organization_id "
        # The role the key acts with: its user's now (none if the user left or was deactivated), or, for a
        # key with no user (system-generated), the one stored on it where the model has one.
        role = f"CASE WHEN k.{user_column} IS NULL THEN k.{stored_role} " if stored_role else "CASE "
        role += f"WHEN u.{user.get_field('is_active').column} THEN m.role END"
        # Only table and column names from the models go into the text; the looked-up values are parameters.
        self.sql = (
            f"SELECT {checked_columns}, {role} {joins}"  # noqa: S608 - names from the models only
            f"LEFT JOIN {Membership._meta.db_table} m ON m.user_id = k.{user_column} "
            f"AND m.organization_id = k.organization_id "
            f"LEFT JOIN {user.db_table} u ON u.{user.pk.column} = m.user_id "
            f"WHERE {where}"
        )
        every_column = ", ".join(
            [f"k.{field.column}" for field in self.key_fields]
            + [f"o.{field.column}" for field in self.organization_fields]
        )
        self.row_sql = f"SELECT {every_column} {joins}WHERE k.{model._meta.pk.column} = %(id)s"  # noqa: S608

    def find(self, **values: str) -> Found | None:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            # Named parameters: on SQLite, Django then fills them in with one `%` formatting instead of a
            # regular-expression pass over the whole statement on every call.
            cursor.execute(self.sql, values)
            row = cursor.fetchone()
        return None if row is None else Found(self, row, alias, self.reading(connection.vendor))

    def reading(self, vendor: str) -> Reading:
        """How rows are read on ``vendor``'s databases (made once per vendor)."""
        if (reading := self.vendor_reading.get(vendor)) is None:
            name = self.model.__name__
            checked_key = [self.model._meta.get_field(attname) for attname in self.checked.key]
            checked_organization = [Organization._meta.get_field(attname) for attname in self.checked.organization]
            key_readers = [_reader(field, vendor) for field in self.key_fields]
            organization_readers = [_reader(field, vendor) for field in self.organization_fields]
            reading = self.vendor_reading[vendor] = Reading(
                _columns_view(f"Checked{name}", checked_key, 0, vendor),
                _columns_view("CheckedOrganization", checked_organization, len(checked_key), vendor),
                _columns_view(f"{name}Columns", self.key_fields, 0, vendor),
                _columns_view("OrganizationColumns", self.organization_fields, self.key_count, vendor),
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


def _checked(field: models.Field, table: str) -> str:
    """A checked column as selected. A date and time is selected as text: most such columns of the row
    are NULL or never read, and parsing one is the costliest part of reading the row (SQLite's driver,
    through Django's converter, and psycopg, through Django's Python loader of time zones, would parse
    every one of them); its reader parses the ones read."""
    column = f"{table}.{field.column}"
    return f"CAST({column} AS TEXT)" if isinstance(field, models.DateTimeField) else column


def _column(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).column


# An access key answers to its current secret and, during a roll, to the one the roll replaced (whose
# end the caller checks on the row).
_ACCESS_KEY_MATCHES = (
    f"k.{_column(AccessKey, 'key_id')} = %(key_id)s AND (k.{_column(AccessKey, 'secret_hash')} = %(hash)s "
    f"OR k.{_column(AccessKey, 'previous_secret_hash')} = %(hash)s)"
)
_ACCESS_KEY_CHECKED = Checked(
    key=(
        "id",
        "secret_hash",
        "previous_secret_until",
        "revoked_at",
        "deactivated_at",
        "expires_at",
        "created_at",
        "allowed_addresses",
        "last_used_at",
    ),
    organization=("access_key_max_lifetime", "access_key_max_lifetime_grace_until"),
)
access_key_by_id = KeyLookup(AccessKey, "owner_id", _ACCESS_KEY_MATCHES, _ACCESS_KEY_CHECKED, "role")
# The credential proxy's: the same, with what it checks on every call (the key's permission for
# credentials, the feature flag and the rate limit) and what its usage record keeps, still in one query.
access_key_for_proxy = KeyLookup(
    AccessKey,
    "owner_id",
    _ACCESS_KEY_MATCHES,
    Checked(
        key=(*_ACCESS_KEY_CHECKED.key, "key_id", "organization_id", "credential_access"),
        organization=(*_ACCESS_KEY_CHECKED.organization, "api_credentials_enabled", "proxy_rate_limit"),
    ),
    "role",
)
api_key_by_hash = KeyLookup(
    APIKey,
    "created_by_id",
    f"k.{_column(APIKey, 'secret_hash')} = %(hash)s",
    Checked(
        key=("id", "deactivated_at", "created_by_id", "last_used_at"),
        organization=("api_key_policy", "api_key_sunset_at"),
    ),
)
