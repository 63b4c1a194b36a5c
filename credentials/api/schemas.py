"""The API's request and response bodies. Secrets appear only in request bodies (write-only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema

from credentials import catalog
from credentials.models import Credential, Membership


class ErrorOut(Schema):
    error: str
    detail: str


class InvalidOut(ErrorOut):
    errors: dict[str, list[str]]


class KeyOut(Schema):
    type: str
    key_id: str | None = None
    prefix: str | None = None
    name: str
    role: Membership.Role
    system_generated: bool = False
    expires_at: datetime | None = None


class AccountOut(Schema):
    account_id: str
    account_domain: str
    name: str
    key: KeyOut


class HeaderOut(Schema):
    name: str
    value: str


class OrganizationCredentialOut(Schema):
    organization: str


class CredentialOut(Schema):
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

    @staticmethod
    def resolve_auth(credential: Credential) -> dict[str, Any]:
        """Non-secret settings only; secret fields are write-only."""
        settings_ = {k: v for k, v in credential.auth_settings.items() if k != "header_names"}
        if credential.auth_type == catalog.HEADERS:
            settings_["headers"] = [{"key": name} for name in credential.auth_settings.get("header_names", [])]
        return settings_

    @staticmethod
    def resolve_extra_headers(credential: Credential) -> list[dict[str, str]]:
        return [{"name": name, "value": value} for name, value in credential.extra_headers]

    @staticmethod
    def resolve_organization_credentials(credential: Credential) -> list[dict[str, str]]:
        if not credential.org_specific:
            return []
        return [{"organization": row.organization.slug} for row in credential.organization_credentials.all()]


class CredentialPage(Schema):
    count: int
    items: list[CredentialOut]


class HeaderIn(Schema):
    name: str = ""
    value: str = ""


class OrganizationCredentialIn(Schema):
    organization: str
    auth: dict[str, str] = {}


class CredentialIn(Schema):
    """Fields of a credential. On PATCH, fields left out keep their stored values (secrets included)."""

    connector: str | None = None
    name: str | None = None
    description: str | None = None
    base_url: str | None = None
    is_test: bool | None = None
    org_specific: bool | None = None
    content_type: str | None = None
    auth_type: str | None = None
    auth: dict[str, Any] | None = None
    extra_headers: list[HeaderIn] | None = None
    organization_credentials: list[OrganizationCredentialIn] | None = None


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
