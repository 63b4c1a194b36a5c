"""Calling the credential proxy as a program would, in tests: a permitted key, a call, its whole body."""

from __future__ import annotations

from typing import Any

from django.test import Client

from credentials.models import AccessKey, Credential
from tests.clients import access_headers


def permit(key: tuple, *credentials: Credential, every: bool = False) -> tuple:
    """Give the access key permission for ``credentials`` (or for all credentials); returns the key."""
    access_key: AccessKey = key[0]
    if every:
        access_key.credential_access = AccessKey.CredentialAccess.ALL
    else:
        access_key.credential_access = AccessKey.CredentialAccess.SELECTED
        access_key.permitted_credentials.add(*credentials)
    access_key.save(update_fields=["credential_access"])
    return key


def call(
    method: str,
    credential: Any,
    path: str = "",
    key: tuple | None = None,
    *,
    body: bytes | str | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
) -> Any:
    """``method /api/v1/credentials/<id>/proxy/<path>?<query>`` with the key's headers."""
    credential_id = getattr(credential, "pk", credential)
    url = f"/api/v1/credentials/{credential_id}/proxy/{path}" + (f"?{query}" if query else "")
    sent = {**(access_headers(key) if key else {}), **(headers or {})}
    extra: dict[str, Any] = {"headers": sent}
    if content_type is not None:
        extra["content_type"] = content_type
    return Client(raise_request_exception=False).generic(method, url, data=body or b"", **extra)


def content(response: Any) -> bytes:
    """The whole body, read as a client reads it (which ends a streamed answer and writes its usage record)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
