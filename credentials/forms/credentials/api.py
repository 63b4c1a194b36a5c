"""The JSON API's side of the credential form: its body in the form's shape, the form's errors in its names."""

from __future__ import annotations

from typing import Any

from django.utils.datastructures import MultiValueDict

from credentials import catalog
from credentials.forms.credentials.form import CredentialForm
from credentials.models import Credential


def json_errors(form: CredentialForm) -> dict[str, list[str]]:
    """Every error keyed the way the JSON API names its fields."""
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        if name == "__all__":
            messages = [m for m in messages if m != "Correct the errors below."]
            if not messages:
                continue
            name = "non_field_errors"
        errors[name] = list(messages)
    for name, messages in form.auth_errors.items():
        errors[f"auth.{name}"] = messages
    if form.organization_rows_error:
        errors["organization_credentials"] = [form.organization_rows_error]
    for index, row in enumerate(form.headers):
        for name, messages in row.errors.items():
            errors[f"extra_headers[{index}].{name}"] = messages
    for index, row in enumerate(form.secret_headers):
        for name, messages in row.errors.items():
            errors[f"auth.headers[{index}].{name}"] = messages
    for index, row in enumerate(form.organization_rows):
        for name, messages in row.errors.items():
            errors[f"organization_credentials[{index}].{name}"] = messages
    return errors


def form_data_from_json(payload: dict[str, Any], *, credential: Credential | None = None) -> MultiValueDict:
    """Translate a JSON API body into the overlay's field names, so the API shares the form's rules.

    On update (``credential`` given) fields missing from the body keep their stored values.
    """
    data = MultiValueDict()

    def scalar(key: str, current: Any = "") -> None:
        value = payload.get(key, current)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = str(value)

    scalar("name", credential.name if credential else "")
    scalar("description", credential.description if credential else "")
    scalar("base_url", credential.base_url if credential else "")
    scalar("is_test", credential.is_test if credential else False)
    scalar("org_specific", credential.org_specific if credential else False)
    scalar("content_type", credential.content_type if credential else "application/json")
    scalar("auth_type", credential.auth_type if credential else "")
    headers = payload.get("extra_headers")
    if headers is None and credential is not None:
        headers = [{"name": n, "value": v} for n, v in credential.extra_headers]
    for header in headers or []:
        data.appendlist("header_name", str(header.get("name", "")) if isinstance(header, dict) else "")
        data.appendlist("header_value", str(header.get("value", "")) if isinstance(header, dict) else "")
    auth = payload.get("auth")
    if auth is None and credential is not None:
        auth = {k: v for k, v in credential.auth_settings.items() if k != "header_names"}
        if credential.auth_type == catalog.HEADERS:
            auth["headers"] = [{"key": name, "value": ""} for name in credential.auth_settings.get("header_names", [])]
    for key, value in (auth or {}).items():
        if key == "headers" and isinstance(value, list):
            for pair in value:
                pair = pair if isinstance(pair, dict) else {}
                data.appendlist("auth_key", str(pair.get("key", "")))
                data.appendlist("auth_value", str(pair.get("value", "")))
        elif isinstance(value, (str, int, float)):
            data[f"auth_{key}"] = str(value)
    rows = payload.get("organization_credentials")
    if rows is None and credential is not None and credential.org_specific:
        slugs = credential.organization_credentials.values_list("organization__slug", flat=True)
        rows = [{"organization": slug} for slug in slugs]
    rows = [row if isinstance(row, dict) else {} for row in rows or []]
    # Headers authentication names each organization's values by header; the form numbers them.
    header_names = data.getlist("auth_key")
    row_secrets = []
    for row in rows:
        secrets = row.get("auth") if isinstance(row.get("auth"), dict) else {}
        row_secrets.append(
            {f"value_{header_names.index(k)}" if k in header_names else k: v for k, v in secrets.items()}
        )
    keys = sorted({key for secrets in row_secrets for key in secrets})
    for row, secrets in zip(rows, row_secrets):
        data.appendlist("org_organization", str(row.get("organization", "")))
        for key in keys:
            data.appendlist(f"org_{key}", str(secrets.get(key, "")))
    return data
