"""The API's request and response bodies. Secrets appear only in request bodies (write-only)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from credentials import catalog
from credentials.models import Credential, Membership, OrganizationCredential


class ErrorOut(Schema):
    error: str
    detail: str


class InvalidOut(ErrorOut):
    errors: dict[str, list[str]]


# Plain pydantic models over the dicts the endpoints make (see CredentialOut).
class KeyOut(BaseModel):
    type: str
    key_id: str | None = None
    prefix: str | None = None
    name: str
    role: Membership.Role
    system_generated: bool = False
    expires_at: datetime | None = None


class AccountOut(BaseModel):
    account_id: str
    account_domain: str
    name: str
    key: KeyOut


class HeaderOut(BaseModel):
    name: str
    value: str


class OrganizationCredentialOut(BaseModel):
    organization: str


class CredentialOut(BaseModel):
    """A credential as the API shows it: its settings, never its secrets (see ``credential_bodies``).

    The credential bodies are plain pydantic models over the dicts ``credential_bodies`` makes: ninja's
    Schema wraps every object it validates to read model attributes, which cost most of a list's time.
    """

    id: UUID
    name: str
    description: str
    connector: str
    base_url: str
    is_test: bool
    org_specific: bool
    content_type: str
    auth_type: str
    auth: dict[str, Any]
    extra_headers: list[HeaderOut]
    organization_credentials: list[OrganizationCredentialOut]
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None


# The columns a credential's body is made of: ``secrets`` is never read.
BODY_FIELDS = (
    "id",
    "name",
    "description",
    "connector",
    "base_url",
    "is_test",
    "org_specific",
    "content_type",
    "auth_type",
    "auth_settings",
    "extra_headers",
    "created_at",
    "updated_at",
    "last_used_at",
)


def credential_bodies(credentials: QuerySet[Credential]) -> list[dict[str, Any]]:
    """The bodies of ``credentials`` (already scoped to an organization) in two queries, whatever their count.

    Plain values, not model instances: a page of 500 credentials is read and serialized per item at a
    fraction of what instances, a prefetch manager each and pydantic resolvers cost.
    """
    rows = list(credentials.values(*BODY_FIELDS))
    org_specific = [row["id"] for row in rows if row["org_specific"]]
    slugs: dict[Any, list[str]] = defaultdict(list)
    if org_specific:
        pairs = OrganizationCredential.objects.filter(credential_id__in=org_specific).values_list(
            "credential_id", "organization__slug"
        )
        for credential_id, slug in pairs:
            slugs[credential_id].append(slug)
    return [_body(row, slugs.get(row["id"], ())) for row in rows]


def _body(row: dict[str, Any], organization_slugs: Any) -> dict[str, Any]:
    auth_settings = row.pop("auth_settings") or {}
    # Non-secret settings only; secret fields are write-only.
    auth = {key: value for key, value in auth_settings.items() if key != "header_names"}
    if row["auth_type"] == catalog.HEADERS:
        auth["headers"] = [{"key": name} for name in auth_settings.get("header_names", [])]
    row["auth"] = auth
    row["extra_headers"] = [{"name": name, "value": value} for name, value in row["extra_headers"] or ()]
    row["organization_credentials"] = [{"organization": slug} for slug in organization_slugs]
    return row


class CredentialPage(BaseModel):
    count: int
    items: list[CredentialOut]


class HeaderIn(Schema):
    name: str = ""
    value: str = ""


class OrganizationCredentialIn(Schema):
    organization: str
    auth: dict[str, str] = {}


# The short forms a client may send for content_type, as well as the media types themselves.
CONTENT_TYPE_SHORT_FORMS = {
    "json": "application/json",
    "xml": "application/xml",
    "form": "application/x-www-form-urlencoded",
}


# Documented as enums; a wrong value is answered by the overlay's own rule and message, next to every
# other problem of the body, rather than by a generic schema error.
ENUMS = {
    "connector": list(catalog.CONNECTORS),
    "content_type": [*catalog.CONTENT_TYPES, *CONTENT_TYPE_SHORT_FORMS],
    "auth_type": list(catalog.AUTH_TYPES),
}
# What POST needs besides a name and a Base URL: the type (every connector's types are listed in
# auth_type's enum; one that allows a single type also takes it left out, but sending it is always right).
CREATE_REQUIRES = ("name", "base_url", "auth_type")


def _document_enums(schema: dict[str, Any]) -> None:
    for name, values in ENUMS.items():
        field_schema = schema["properties"][name]
        for branch in field_schema.get("anyOf", [field_schema]):
            if branch.get("type") == "string":
                branch["enum"] = values


def _document_create(schema: dict[str, Any]) -> None:
    _document_enums(schema)
    schema["required"] = list(CREATE_REQUIRES)
    for name in (*CREATE_REQUIRES, "content_type"):
        field_schema = schema["properties"][name]
        # Not nullable: drop the {"type": "null"} branch pydantic derives from "| None".
        if "anyOf" in field_schema:
            branches = [b for b in field_schema.pop("anyOf") if b.get("type") != "null"]
            field_schema.update(branches[0])
        field_schema.pop("default", None)
    schema["properties"]["content_type"]["default"] = "application/json"


class CredentialIn(Schema):
    """Fields of a credential. On PATCH, fields left out (or null) keep their stored values, secrets included."""

    model_config = ConfigDict(json_schema_extra=_document_enums)

    connector: str | None = Field(None, description="The connector type; fixed once created.")
    name: str | None = None
    description: str | None = None
    base_url: str | None = None
    is_test: bool | None = None
    org_specific: bool | None = None
    content_type: str | None = Field(None, description="A media type, or its short form json, xml or form.")
    auth_type: str | None = Field(None, description="The authentication type; the connector limits the choice.")
    auth: dict[str, Any] | None = None
    extra_headers: list[HeaderIn] | None = None
    organization_credentials: list[OrganizationCredentialIn] | None = None


class CredentialCreateIn(CredentialIn):
    """A new credential: name, base_url and auth_type are required; content_type defaults to JSON."""

    model_config = ConfigDict(json_schema_extra=_document_create)


class DeletedOut(Schema):
    id: UUID
    deleted: bool
    revoked_connections: list[str]


class TestResultOut(Schema):
    ok: bool
    outcome: str
    message: str
    status_code: int | None = None
    organization: str | None = None


class TestOut(Schema):
    ok: bool
    results: list[TestResultOut]


class ConnectionOut(Schema):
    id: UUID
    kind: str
    connector: str
    name: str
    status: str
    revoked_reason: str
    credential_id: UUID | None
    access_key_id: str | None
    created_at: datetime

    @staticmethod
    def resolve_access_key_id(connection: Any) -> str | None:
        return connection.access_key.key_id if connection.access_key_id else None


class ConnectionPage(Schema):
    count: int
    items: list[ConnectionOut]


ERRORS = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}
