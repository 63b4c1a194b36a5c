"""What the OpenAPI document says beyond what django-ninja derives: ``auth`` per authentication type,
examples, and the error answers of every operation.

The bodies are parsed leniently (``auth`` is a mapping) and then checked by the credential rules, so
that the JSON API answers with the same messages as the overlay; the document states those rules' shape
as a client should send it: a credential body is a union discriminated by ``auth_type``, each type with
its own ``auth`` fields, built from ``catalog.AUTH_TYPES``.
"""

from __future__ import annotations

import copy
from typing import Any

from credentials import catalog
from credentials.forms.credentials.rules import FIELDS, MAX_SECRET_HEADERS

SECRET = "Secret: write-only, never answered back. Left out on PATCH, the stored value is kept."
SETTING = "Not secret: answered back in `auth`."
# Every operation may answer these; each uses the error body (400 adds `errors`, per field).
ERROR_ANSWERS = {
    "400": ("Bad Request: the body or a parameter is not valid; `errors` lists the fields.", "InvalidOut"),
    "401": ("Unauthorized: no key, or a key that is not valid.", "ErrorOut"),
    "403": ("Forbidden: the key's role or organization does not allow this.", "ErrorOut"),
    "404": ("Not Found.", "ErrorOut"),
    "405": ("Method Not Allowed: the `Allow` header lists the methods of this path.", "ErrorOut"),
    "429": ("Too Many Requests: too many failed authentication attempts; try again later.", "ErrorOut"),
}


def _title(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("_"))


def _field_schema(field: catalog.AuthField) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "string",
        "title": field.label,
        "maxLength": field.max_length,
        "description": SECRET if field.secret else SETTING,
    }
    if field.default:
        schema["default"] = field.default
    return schema


def auth_schema(auth_type: catalog.AuthType) -> dict[str, Any]:
    """The ``auth`` object one authentication type takes in a request body."""
    if auth_type.repeats_pairs:
        key, value = auth_type.fields
        pair = {
            "type": "object",
            "properties": {"key": _field_schema(key), "value": _field_schema(value)},
            "required": ["key"],
        }
        properties: dict[str, Any] = {
            "headers": {"type": "array", "items": pair, "minItems": 1, "maxItems": MAX_SECRET_HEADERS}
        }
    else:
        properties = {field.name: _field_schema(field) for field in auth_type.fields}
    return {"type": "object", "title": f"{auth_type.label} authentication", "properties": properties}


def auth_settings_schema(auth_type: catalog.AuthType) -> dict[str, Any]:
    """The ``auth`` object a credential of this type is answered with: its settings, no secret."""
    if auth_type.repeats_pairs:
        names = {"type": "array", "items": {"type": "object", "properties": {"key": {"type": "string"}}}}
        properties: dict[str, Any] = {"headers": names}
    else:
        properties = {field.name: {"type": "string", "title": field.label} for field in auth_type.settings_fields}
    return {"type": "object", "title": f"{auth_type.label} settings", "properties": properties}


EXAMPLE_CREATE = {
    "name": "Billing API",
    "base_url": "https://billing.example.com",
    "content_type": "application/json",
    "auth_type": "basic",
    "auth": {"username": "billing", "password": "s3cret"},
    "extra_headers": [{"name": "Accept", "value": "application/json"}],
}
EXAMPLE_UPDATE = {"description": "Invoices and refunds", "auth": {"password": "n3w-s3cret"}}
EXAMPLE_CREDENTIAL = {
    "id": "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b",
    "name": "Billing API",
    "description": "Invoices and refunds",
    "connector": "http_api",
    "base_url": "https://billing.example.com",
    "is_test": False,
    "org_specific": False,
    "content_type": "application/json",
    "auth_type": "bearer",
    "auth": {"key": "Authorization"},
    "extra_headers": [{"name": "Accept", "value": "application/json"}],
    "organization_credentials": [],
    "created_at": "2026-01-05T09:30:00Z",
    "updated_at": "2026-01-06T14:00:00Z",
    "last_used_at": None,
}


def _document_lengths(body: dict[str, Any]) -> None:
    """The overlay's length limits on the text fields, on every string branch."""
    for name in ("name", "description", "base_url"):
        field_schema = body["properties"][name]
        for branch in field_schema.get("anyOf", [field_schema]):
            if branch.get("type") == "string":
                branch["maxLength"] = FIELDS[name].max_length


def _variants(base: dict[str, Any], components: dict[str, Any]) -> dict[str, str]:
    """One create body per authentication type, named ``<Type>CredentialCreateIn``; their references by type."""
    mapping = {}
    for code, auth_type in catalog.AUTH_TYPES.items():
        variant = copy.deepcopy(base)
        variant.pop("examples", None)
        variant["title"] = f"{auth_type.label} credential"
        variant["properties"]["auth_type"] = {"type": "string", "enum": [code], "title": "Auth Type"}
        variant["properties"]["auth"] = {"$ref": f"#/components/schemas/{_title(code)}Auth"}
        variant["required"] = sorted({*variant.get("required", ()), "auth_type"})
        name = f"{_title(code)}CredentialCreateIn"
        components[name] = variant
        mapping[code] = f"#/components/schemas/{name}"
    return mapping


EXAMPLE_ACCESS_KEY_CREATE = {
    "name": "Warehouse sync",
    "role": "member",
    "expires_in_days": 90,
    "credential_access": "selected",
    "permitted_credentials": ["6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b"],
}
EXAMPLE_ACCESS_KEY = {
    "id": "0b7e4c1d-2a3f-4b5c-8d9e-0f1a2b3c4d5e",
    "key_id": "CHAK7Q2M4X9B1KD3RT8P",
    "name": "Warehouse sync",
    "owner": None,
    "role": "member",
    "system_generated": True,
    "status": "active",
    "created_at": "2026-01-05T09:30:00Z",
    "expires_at": "2026-04-05T09:30:00Z",
    "last_used_at": None,
    "credential_access": "selected",
    "permitted_credentials": ["6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b"],
}


def _document_access_keys(components: dict[str, Any]) -> None:
    """Examples of the access key bodies, with the credential permissions they carry."""
    components["AccessKeyCreateIn"]["examples"] = [EXAMPLE_ACCESS_KEY_CREATE]
    components["AccessKeyIn"]["examples"] = [{"credential_access": "all"}]
    components["AccessKeyOut"]["examples"] = [EXAMPLE_ACCESS_KEY]


def document(schema: dict[str, Any]) -> None:
    """Add the auth union, the examples and the error answers to the document ninja built."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _document_access_keys(components)
    for code, auth_type in catalog.AUTH_TYPES.items():
        components[f"{_title(code)}Auth"] = auth_schema(auth_type)
    # POST: auth_type is required, so the body is one of the types' bodies, told apart by auth_type.
    create = components["CredentialCreateIn"]
    _document_lengths(create)
    mapping = _variants(create, components)
    components["CredentialCreateIn"] = {
        "title": "CredentialCreateIn",
        "description": create.get("description", ""),
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "auth_type", "mapping": mapping},
        "examples": [EXAMPLE_CREATE],
    }
    # PATCH: auth_type may be left out (the stored type stays); when it is sent, it tells auth's shape.
    update = components["CredentialIn"]
    _document_lengths(update)
    update["examples"] = [EXAMPLE_UPDATE]
    update["properties"]["auth"] = {
        "anyOf": [
            *({"$ref": f"#/components/schemas/{_title(code)}Auth"} for code in catalog.AUTH_TYPES),
            {"type": "null"},
        ],
        "description": "The fields of the credential's authentication type (auth_type, or the stored one).",
    }
    out = components["CredentialOut"]
    out["examples"] = [EXAMPLE_CREDENTIAL]
    out["properties"]["auth"] = {
        "anyOf": [auth_settings_schema(auth_type) for auth_type in catalog.AUTH_TYPES.values()],
        "description": "The settings of the credential's authentication type; secrets are never answered.",
    }
    components.setdefault("ErrorOut", {}).setdefault("examples", [{"error": "Not Found", "detail": "Nothing here."}])
    for operations in schema["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, (description, component) in ERROR_ANSWERS.items():
                answer = operation["responses"].setdefault(status, {"description": description})
                answer["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
