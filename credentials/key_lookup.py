"""The one query that verifying a key makes: the key by a unique column, its organization, and the role
its user holds there now.

Hand-written, parameterized SQL through ``connection.cursor()`` (the same text on SQLite and
PostgreSQL), selecting only what verification and the API need: never ``secret_hash`` of another row,
never the organization's debug session key. The role comes from LEFT JOINs on the membership (unique
per user and organization) and the user, not from a correlated subquery.

The caller compares the stored hash with the raw row, before any model instance is built, so that a
wrong secret for a known key ID and an unknown key ID cost the same work. Model instances are then made
with their public constructors; the few columns a database hands back as text (dates, UUIDs and
booleans on SQLite, JSON on both) go through their field's ``to_python``.
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

# The organization columns an API request may read; the debug session key stays in the database
# (left deferred: reading it on such an instance would load it, never show a stand-in).
ORGANIZATION_FIELDS = (
    "id",
    "name",
    "slug",
    "account_id",
    "account_domain",
    "parent_id",
    "api_credentials_enabled",
    "access_key_expiry_periods",
    "access_key_allow_no_expiry",
    "access_key_default_expiry",
    "api_key_policy",
    "api_key_sunset_at",
    "created_at",
)
ACCESS_KEY_FIELDS = (
    "id",
    "organization_id",
    "owner_id",
    "name",
    "key_id",
    "secret_hash",
    "role",
    "system_generated",
    "expires_at",
    "created_at",
    "last_used_at",
    "last_used_ip",
    "revoked_at",
)
API_KEY_FIELDS = (
    "id",
    "organization_id",
    "created_by_id",
    "name",
    "prefix",
    "secret_hash",
    "created_at",
    "last_used_at",
)


def _reader(field: models.Field) -> Callable[[Any], Any] | None:
    """How a column's raw value becomes the attribute's value, or None where the driver's value is it."""
    if isinstance(field, models.JSONField):
        return lambda value: json.loads(value) if isinstance(value, str) else value
    if isinstance(field, models.DateTimeField):
        # Stored in UTC (USE_TZ): PostgreSQL hands back an aware datetime, SQLite a naive one (or text).
        def to_datetime(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, datetime):
                value = field.to_python(value)
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

        return to_datetime
    if isinstance(field, models.BooleanField):
        return lambda value: value if value is None or isinstance(value, bool) else bool(value)
    if isinstance(field, models.UUIDField):
        return lambda value: value if value is None or isinstance(value, UUID) else UUID(str(value))
    return None


class KeyLookup:
    """``find(value)`` → the raw row of the key whose ``column`` equals ``value``; ``build(row)`` → the key."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], column: str, user_column: str) -> None:
        self.model, self.fields = model, tuple(fields)
        self.hash_index = self.fields.index("secret_hash")
        key_fields = [model._meta.get_field(name) for name in self.fields]
        organization_fields = [Organization._meta.get_field(name) for name in ORGANIZATION_FIELDS]
        self.key_readers = [_reader(field) for field in key_fields]
        self.organization_readers = [_reader(field) for field in organization_fields]
        user = get_user_model()._meta
        key_columns = ", ".join(f"k.{model._meta.get_field(name).column}" for name in self.fields)
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
            f"WHERE k.{column} = %s"
        )

    def find(self, value: str) -> tuple[Sequence[Any] | None, str]:
        """The row (or None) and the database alias it came from."""
        alias = router.db_for_read(self.model)
        with connections[alias].cursor() as cursor:
            cursor.execute(self.sql, [value])
            return cursor.fetchone(), alias

    def stored_hash(self, row: Sequence[Any] | None) -> str | None:
        return None if row is None else row[self.hash_index]

    def build(self, row: Sequence[Any], alias: str) -> tuple[Any, str | None]:
        """The key (``.organization`` set, the organization's debug session key deferred) and its user's role."""
        count = len(self.fields)
        organization = _instance(
            Organization,
            alias,
            ORGANIZATION_FIELDS,
            self.organization_readers,
            row[count : count + len(ORGANIZATION_FIELDS)],
            debug_session_key=models.DEFERRED,
        )
        key = _instance(self.model, alias, self.fields, self.key_readers, row[:count])
        key.organization = organization
        return key, row[-1]


def _instance(
    model: type[models.Model], alias: str, names: Sequence[str], readers: list, values: Sequence[Any], **extra: Any
) -> Any:
    attributes = {
        name: value if reader is None else reader(value) for name, reader, value in zip(names, readers, values)
    }
    instance = model(**attributes, **extra)
    # As a row loaded from the database: a later save() updates it instead of trying an insert.
    instance._state.adding = False
    instance._state.db = alias
    return instance


access_key_by_id = KeyLookup(AccessKey, ACCESS_KEY_FIELDS, "key_id", "owner_id")
api_key_by_hash = KeyLookup(APIKey, API_KEY_FIELDS, "secret_hash", "created_by_id")
