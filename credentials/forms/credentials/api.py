"""The JSON API's side of the credential rules: a typed body as a draft, the draft's problems in its names."""

from __future__ import annotations

from typing import Any

from credentials import catalog
from credentials.forms.credentials.draft import CredentialDraft
from credentials.models import Credential, Organization

# The credential's own fields a body may send, and what a new credential has when one is left out.
DEFAULTS: dict[str, Any] = {
    "name": "",
    "description": "",
    "base_url": "",
    "is_test": False,
    "org_specific": False,
    "content_type": "application/json",
    "auth_type": "",
}


def _text(value: Any) -> str:
    return str(value) if isinstance(value, (str, int, float)) else ""


def draft_from_json(
    organization: Organization, body: dict[str, Any], *, credential: Credential | None, connector: str | None
) -> CredentialDraft:
    """The credential a validated API body describes. On update, what the body leaves out stays as stored."""
    code = credential.connector if credential else (connector or catalog.HTTP_API)
    values = {
        name: body.get(name, getattr(credential, name) if credential else default) for name, default in DEFAULTS.items()
    }
    auth = body.get("auth")
    if auth is None and credential is not None:
        auth = {key: value for key, value in credential.auth_settings.items() if key != "header_names"}
    auth = auth or {}
    draft = CredentialDraft(
        organization,
        connector=catalog.CONNECTORS[code],
        instance=credential,
        values=values,
        auth_values={key: _text(value) for key, value in auth.items() if key != "headers"},
    )
    headers = body.get("extra_headers")
    # Unset fields of a row are left out of the body (exclude_unset): they take the schema's default, "".
    draft.set_headers(None if headers is None else [(h.get("name", ""), h.get("value", "")) for h in headers])
    if "headers" in auth:
        pairs = auth["headers"] if isinstance(auth["headers"], list) else []
        draft.set_secret_headers([_pair(pair) for pair in pairs])
    else:
        # Left out on update: the stored header names stand, their values kept.
        draft.set_secret_headers(None if "auth" not in body and credential is not None else [])
    rows = body.get("organization_credentials")
    if rows is None and credential is not None and credential.org_specific:
        slugs = credential.organization_credentials.values_list("organization__slug", flat=True)
        rows = [{"organization": slug} for slug in slugs]
    # Headers authentication names each organization's values by header; the draft numbers them.
    header_names = [row.key for row in draft.secret_headers]
    draft.set_organization_rows(
        [
            (
                row.get("organization", ""),
                {
                    f"value_{header_names.index(k)}" if k in header_names else k: v
                    for k, v in (row.get("auth") or {}).items()
                },
            )
            for row in rows or []
        ]
    )
    return draft


def _pair(pair: Any) -> tuple[str, str]:
    pair = pair if isinstance(pair, dict) else {}
    return _text(pair.get("key", "")), _text(pair.get("value", ""))


def changed_fields(draft: CredentialDraft, cleaned: dict[str, Any]) -> list[str]:
    """The credential's own fields an update changes (their names only, for the audit event)."""
    credential = draft.instance
    if credential is None:
        return []
    now = {**cleaned, "is_test": bool(draft.values.get("is_test")), "org_specific": draft.org_specific_on}
    return [name for name in DEFAULTS if name in now and now[name] != getattr(credential, name)]


def json_errors(draft: CredentialDraft) -> dict[str, list[str]]:
    """Every problem of the draft, keyed the way the JSON API names its fields."""
    errors: dict[str, list[str]] = dict(draft.field_errors)
    if draft.non_field_errors:
        errors["non_field_errors"] = list(draft.non_field_errors)
    for name, messages in draft.auth_errors.items():
        errors[f"auth.{name}"] = messages
    if problem := draft.rows_errors.get("organizations"):
        errors["organization_credentials"] = [problem]
    for index, row in enumerate(draft.headers):
        for name, messages in row.errors.items():
            errors[f"extra_headers[{index}].{name}"] = messages
    for index, row in enumerate(draft.secret_headers):
        for name, messages in row.errors.items():
            errors[f"auth.headers[{index}].{name}"] = messages
    for index, row in enumerate(draft.organization_rows):
        for name, messages in row.errors.items():
            errors[f"organization_credentials[{index}].{name}"] = messages
    return errors
