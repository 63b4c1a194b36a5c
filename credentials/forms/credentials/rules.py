"""The credential rules shared by the overlay, the JSON API and the admin: limits, messages, header checks,
and the credential's own fields."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import URLValidator

from credentials import catalog, gate, outbound
from credentials.names import clean_name

if TYPE_CHECKING:
    from credentials.models import Credential, Organization

# RFC 9110 token characters: what a header name may be made of.
HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
MAX_EXTRA_HEADERS = 50
MAX_ORGANIZATION_ROWS = 200
MAX_SECRET_HEADERS = 20
MAX_HEADER_VALUE = 4096

REQUIRED = "This field is required."
NAME_TAKEN = "A credential with this name already exists in this organization."
STORED_SECRET_UNREADABLE = "The stored value could not be decrypted. Enter it again."
ORIGIN_CHANGED = (
    "The Base URL or Base Endpoint now points to another origin (scheme, host or port): enter this secret again."
)


def unsendable_problem(value: str) -> str | None:
    """HTTP sends header values as Latin-1: anything else could never leave, so refuse it when saved."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        # Not quoted back: the value may be a secret.
        return "A header cannot carry some of these characters: use Latin-1 letters, digits and punctuation only."
    return None


def has_control_characters(value: str) -> bool:
    """C0 controls (but tab) and DEL: no header may carry them, and PostgreSQL's JSON cannot store NUL."""
    return any((ord(character) < 32 and character != "\t") or character == "\x7f" for character in value)


def header_value_problem(value: str, *, sent_in_a_header: bool = True) -> str | None:
    if "\r" in value or "\n" in value:
        return "Header values cannot contain line breaks."
    if has_control_characters(value):
        return "Header values cannot contain control characters."
    if len(value) > MAX_HEADER_VALUE:
        return f"Ensure this value has at most {MAX_HEADER_VALUE} characters (it has {len(value)})."
    return unsendable_problem(value) if sent_in_a_header else None


def header_name_problem(name: str) -> str | None:
    if not name:
        return "Enter a header name."
    if "\r" in name or "\n" in name or not HEADER_NAME.match(name):
        return "Enter a valid header name: letters, digits and - _ . ! # $ % & ' * + ^ ` | ~ only, no spaces."
    if len(name) > 256:
        return "Ensure this value has at most 256 characters."
    return None


def extra_header_errors(rows: list[tuple[str, str]], reserved: set[str]) -> list[dict[str, list[str]]]:
    """Each extra header row's problems, by "name" and "value"."""
    seen: set[str] = set()
    problems = []
    for name, value in rows:
        errors: dict[str, list[str]] = {}
        lowered = name.lower()
        if problem := header_name_problem(name):
            errors["name"] = [problem]
        elif lowered == "content-type":
            errors["name"] = ["Content-Type is set above: choose JSON, XML or form-urlencoded there."]
        elif lowered in reserved:
            errors["name"] = ["The authentication type sets this header."]
        elif lowered in seen:
            errors["name"] = ["This header is already listed."]
        seen.add(lowered)
        if problem := header_value_problem(value):
            errors["value"] = [problem]
        problems.append(errors)
    return problems


def extra_headers_problems(value: Any, auth_type: str, auth_settings: dict | None) -> list[str]:
    """What is wrong with a stored ``extra_headers`` value (as the admin edits it): [] when nothing.

    The overlay's rules, applied to the stored shape: a list of ``[name, value]`` pairs of strings.
    """
    shape = 'Enter a list of [name, value] pairs, e.g. [["Accept", "application/json"]].'
    if not isinstance(value, list):
        return [shape]
    if not all(isinstance(row, list) and len(row) == 2 and all(isinstance(p, str) for p in row) for row in value):
        return [shape]
    if len(value) > MAX_EXTRA_HEADERS:
        return [f"Add at most {MAX_EXTRA_HEADERS} headers."]
    reserved = catalog.headers_set_by(auth_type, auth_settings)
    problems = []
    for index, errors in enumerate(extra_header_errors([(n, v) for n, v in value], reserved)):
        for messages in errors.values():
            problems.extend(f"Header {index + 1} ({value[index][0] or 'no name'}): {m}" for m in messages)
    return problems


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port (what a credential's secrets are bound to)."""
    return origin_of(url) == origin_of(other)


def origin_of(url: str) -> tuple[str, str, int | None] | None:
    try:
        return outbound.origin(url)
    except ValueError:  # e.g. "http://[" — not a URL; its own field says so
        return None


# The credential's own fields -------------------------------------------------------------------

# Each message says what to do, in the overlay and in the API's 400 alike.
NAME_REQUIRED = "Enter a name for the credential."
BASE_URL_REQUIRED = "Enter the Base URL, such as https://api.example.com."


def url_scheme_problem(label: str) -> str:
    return f"{label} must start with https:// or http://"


def invalid_url(label: str) -> str:
    return f"Enter a whole address for the {label}, such as https://api.example.com."


def required_problem(label: str) -> str:
    """What an empty required input says: "Enter the Password."."""
    return f"Enter the {label}."


# The credential's own fields, as the overlay shows them and as every path checks them.
FIELDS: dict[str, forms.Field] = {
    "name": forms.CharField(label="Credential Name", max_length=100, error_messages={"required": NAME_REQUIRED}),
    "description": forms.CharField(label="Credential Description", max_length=500, required=False),
    "base_url": forms.CharField(label="Base URL", max_length=2048, error_messages={"required": BASE_URL_REQUIRED}),
    "content_type": forms.ChoiceField(
        label="Content-Type",
        choices=list(catalog.CONTENT_TYPES.items()),
        error_messages={"required": "Choose a Content-Type: JSON, XML or form-urlencoded."},
    ),
}


def auth_type_field(connector: catalog.Connector) -> forms.ChoiceField:
    """The authentication types the connector allows; one that allows a single type may leave it out."""
    return forms.ChoiceField(
        label="Authentication type",
        choices=[(code, catalog.AUTH_TYPES[code].label) for code in connector.auth_types],
        required=len(connector.auth_types) > 1,
    )


def checked_name(name: str, organization: Organization, instance: Credential | None) -> str:
    try:
        name = clean_name(name)
    except forms.ValidationError as error:
        if error.code == "required":
            raise forms.ValidationError(NAME_REQUIRED, code="required") from None
        raise
    others = gate.credentials_for(organization).filter(name__iexact=name)
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise forms.ValidationError(NAME_TAKEN)
    return name


def checked_url(url: str, label: str = "Base URL") -> str:
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise forms.ValidationError(url_scheme_problem(label))
    try:
        URLValidator(schemes=["http", "https"])(url)
    except forms.ValidationError:
        raise forms.ValidationError(invalid_url(label)) from None
    return url
