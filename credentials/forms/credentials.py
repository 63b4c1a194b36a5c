"""The credential form: the rules for creating and editing a credential, for the overlay and the API.

The browser posts the overlay as flat fields with repeated rows (``header_name``/``header_value``,
``auth_key``/``auth_value``, ``org_organization``/``org_<secret field>``); the JSON API translates its
body into the same shape (:func:`form_data_from_json`), so both go through one validation path.

Secrets are write-only: when editing, a secret input left blank keeps the stored value, and a stored
value is decrypted only at save time and only when a blank needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.forms.utils import ErrorDict
from django.utils.datastructures import MultiValueDict

from credentials import catalog, gate, outbound
from credentials.actions.credentials import CredentialInput
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


@dataclass
class HeaderRow:
    """An extra (non-secret) header row under Content-Type."""

    name: str = ""
    value: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SecretHeaderRow:
    """A Key/Value pair of Headers authentication. The key is shown back, the value never."""

    key: str = ""
    value: str = ""
    stored: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    label: str = "Value"


@dataclass
class OrganizationRow:
    """One child organization's secret fields in an org-specific credential."""

    organization: str = ""  # the child organization's slug
    values: dict[str, str] = field(default_factory=dict)
    stored: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)


def _unsendable_problem(value: str) -> str | None:
    """HTTP sends header values as Latin-1: anything else could never leave, so refuse it when saved."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        # Not quoted back: the value may be a secret.
        return "A header cannot carry some of these characters: use Latin-1 letters, digits and punctuation only."
    return None


def _has_control_characters(value: str) -> bool:
    """C0 controls (but tab) and DEL: no header may carry them, and PostgreSQL's JSON cannot store NUL."""
    return any((ord(character) < 32 and character != "\t") or character == "\x7f" for character in value)


def _header_value_problem(value: str, *, sent_in_a_header: bool = True) -> str | None:
    if "\r" in value or "\n" in value:
        return "Header values cannot contain line breaks."
    if _has_control_characters(value):
        return "Header values cannot contain control characters."
    if len(value) > MAX_HEADER_VALUE:
        return f"Ensure this value has at most {MAX_HEADER_VALUE} characters (it has {len(value)})."
    return _unsendable_problem(value) if sent_in_a_header else None


def _header_name_problem(name: str) -> str | None:
    if not name:
        return "Enter a header name."
    if "\r" in name or "\n" in name or not HEADER_NAME.match(name):
        return "Enter a valid header name: letters, digits and - _ . ! # $ % & ' * + ^ ` | ~ only, no spaces."
    if len(name) > 256:
        return "Ensure this value has at most 256 characters."
    return None


def _extra_header_errors(rows: list[tuple[str, str]], reserved: set[str]) -> list[dict[str, list[str]]]:
    """Each extra header row's problems, by "name" and "value"."""
    seen: set[str] = set()
    problems = []
    for name, value in rows:
        errors: dict[str, list[str]] = {}
        lowered = name.lower()
        if problem := _header_name_problem(name):
            errors["name"] = [problem]
        elif lowered == "content-type":
            errors["name"] = ["Content-Type is set above: choose JSON, XML or form-urlencoded there."]
        elif lowered in reserved:
            errors["name"] = ["The authentication type sets this header."]
        elif lowered in seen:
            errors["name"] = ["This header is already listed."]
        seen.add(lowered)
        if problem := _header_value_problem(value):
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
    for index, errors in enumerate(_extra_header_errors([(n, v) for n, v in value], reserved)):
        for messages in errors.values():
            problems.extend(f"Header {index + 1} ({value[index][0] or 'no name'}): {m}" for m in messages)
    return problems


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port (what a credential's secrets are bound to)."""
    return _origin(url) == _origin(other)


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        return outbound.origin(url)
    except ValueError:  # e.g. "http://[" — not a URL; its own field says so
        return None


class CredentialForm(forms.Form):
    name = forms.CharField(label="Credential Name", max_length=100)
    description = forms.CharField(label="Credential Description", max_length=500, required=False)
    base_url = forms.CharField(label="Base URL", max_length=2048)
    is_test = forms.BooleanField(label="Test credentials", required=False)
    org_specific = forms.BooleanField(label="Org. Specific Authentication", required=False)
    content_type = forms.ChoiceField(label="Content-Type", choices=list(catalog.CONTENT_TYPES.items()))
    auth_type = forms.ChoiceField(label="Authentication type")

    def __init__(
        self,
        organization: Organization,
        data: MultiValueDict | None = None,
        *,
        instance: Credential | None = None,
        connector: str | None = None,
    ) -> None:
        self.organization = organization
        self.instance = instance
        code = instance.connector if instance else (connector or catalog.HTTP_API)
        self.connector = catalog.CONNECTORS.get(code) or catalog.CONNECTORS[catalog.HTTP_API]
        super().__init__(data, initial=self._initial(), auto_id="id_%s")
        self.fields["auth_type"].choices = [
            (code, catalog.AUTH_TYPES[code].label) for code in self.connector.auth_types
        ]
        if len(self.connector.auth_types) == 1:
            self.fields["auth_type"].required = False
        self._stored_secrets: dict | None = None
        # A view restart (a row added or removed, the type switched) redraws the form as typed.
        self.restarted = False
        self.headers = self._read_header_rows()
        self.secret_headers = self._read_secret_header_rows()
        self.organization_rows = self._read_organization_rows()
        self.auth_values = self._read_auth_values()

    # Reading what was posted (or what is stored, for an unbound edit form) ---------------------

    def _initial(self) -> dict[str, Any]:
        if self.instance is None:
            base_url = self.connector.default_base_url
            if self.connector.base_url_from_account_domain and self.organization.account_domain:
                base_url = f"https://{self.organization.account_domain}"
            return {
                "base_url": base_url,
                "content_type": Credential.ContentType.JSON,
                "auth_type": self.connector.auth_types[0],
            }
        credential = self.instance
        return {
            "name": credential.name,
            "description": credential.description,
            "base_url": credential.base_url,
            "is_test": credential.is_test,
            "org_specific": credential.org_specific,
            "content_type": credential.content_type,
            "auth_type": credential.auth_type,
        }

    def _list(self, key: str) -> list[str]:
        if self.data is None or not hasattr(self.data, "getlist"):
            return []
        return [str(v) for v in self.data.getlist(key)]

    @property
    def selected_auth_type(self) -> catalog.AuthType:
        """The authentication type the form is showing: posted, stored, or the connector's first."""
        code = self.data.get("auth_type") if self.is_bound else self.initial.get("auth_type")
        if code not in self.connector.auth_types:
            code = self.connector.auth_types[0]
        return catalog.AUTH_TYPES[code]

    @property
    def org_specific_on(self) -> bool:
        if self.is_bound:
            return self.fields["org_specific"].widget.value_from_datadict(self.data, None, "org_specific")
        return bool(self.initial.get("org_specific"))

    @property
    def fixed_header_names(self) -> tuple[str, ...]:
        return self.connector.fixed_headers if self.selected_auth_type.code == catalog.HEADERS else ()

    def _stored_matches(self) -> bool:
        """Stored secrets count only for the authentication type and the origins they were entered for."""
        return (
            self.instance is not None
            and self.instance.auth_type == self.selected_auth_type.code
            and not self.origin_changed
        )

    @property
    def origin_changed(self) -> bool:
        """The Base URL (or AWS4 Base Endpoint) now points to another scheme, host or port.

        Secrets go only where they were entered for: sent elsewhere, they could be read back.
        """
        if self.instance is None or not self.is_bound:
            return False
        posted_url = str(self.data.get("base_url", "")).strip()
        if _origin(posted_url) != _origin(self.instance.base_url):
            return True
        if self.selected_auth_type.code == catalog.AWS4 and self.instance.auth_type == catalog.AWS4:
            posted = str(self.data.get("auth_endpoint", "")).strip()
            stored = (self.instance.auth_settings or {}).get("endpoint", "")
            return _origin(posted) != _origin(stored)
        return False

    def _secret_required(self) -> str:
        return ORIGIN_CHANGED if self.origin_changed else REQUIRED

    def _read_header_rows(self) -> list[HeaderRow]:
        if not self.is_bound:
            stored = self.instance.extra_headers if self.instance else []
            return [HeaderRow(name, value) for name, value in stored]
        names, values = self._list("header_name"), self._list("header_value")
        return [HeaderRow(n.strip(), v) for n, v in zip(names, values + [""] * (len(names) - len(values)))]

    def _read_secret_header_rows(self) -> list[SecretHeaderRow]:
        stored_names = self._stored_header_names()
        if self.fixed_header_names:
            posted = dict(zip(self._list("auth_key"), self._list("auth_value")))
            return [
                SecretHeaderRow(
                    name, posted.get(name, ""), stored=name in stored_names, label=self.connector.label_for(name, name)
                )
                for name in self.fixed_header_names
            ]
        if not self.is_bound:
            names = stored_names or [""]
            return [SecretHeaderRow(name, "", stored=bool(name)) for name in names]
        keys, values = self._list("auth_key"), self._list("auth_value")
        values += [""] * (len(keys) - len(values))
        rows = [SecretHeaderRow(k.strip(), v, stored=k.strip() in stored_names) for k, v in zip(keys, values)]
        return rows or [SecretHeaderRow()]

    def _stored_header_names(self) -> list[str]:
        if not self._stored_matches() or self.selected_auth_type.code != catalog.HEADERS:
            return []
        return list(self.instance.auth_settings.get("header_names", []))

    def _read_organization_rows(self) -> list[OrganizationRow]:
        stored = self._stored_organization_slugs()
        if not self.is_bound:
            return [OrganizationRow(slug, stored=True) for slug in stored]
        slugs = self._list("org_organization")
        rows = []
        for index, slug in enumerate(slugs):
            values = {}
            for name in self.organization_secret_names():
                posted = self._list(f"org_{name}")
                values[name] = posted[index] if index < len(posted) else ""
            rows.append(OrganizationRow(slug.strip(), values, stored=slug.strip() in stored))
        return rows

    def _stored_organization_slugs(self) -> list[str]:
        if not self._stored_matches() or not self.instance.org_specific:
            return []
        return [
            row.organization.slug
            for row in self.instance.organization_credentials.select_related("organization").defer("secrets")
        ]

    def organization_secret_names(self) -> list[str]:
        """The input names of one organization row's secrets for the selected type."""
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return [f"value_{index}" for index in range(len(self.secret_headers))]
        return [f.name for f in auth.secret_fields]

    def _read_auth_values(self) -> dict[str, str]:
        auth = self.selected_auth_type
        values: dict[str, str] = {}
        for f in auth.fields if not auth.repeats_pairs else ():
            if self.is_bound:
                value = str(self.data.get(f"auth_{f.name}", ""))
                # Secrets are kept exactly as typed; settings lose stray spaces.
                values[f.name] = value if f.secret else value.strip()
            elif not f.secret:
                stored = self.instance.auth_settings if self._stored_matches() else {}
                values[f.name] = stored.get(f.name, f.default)
        return values

    # What the template shows ------------------------------------------------------------------

    def auth_inputs(self) -> list[dict[str, Any]]:
        """The selected type's fields (other than header pairs), ready to render."""
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return []
        inputs = []
        stored = self._stored_matches() and not self.instance.org_specific
        for f in auth.fields:
            if f.secret and self.org_specific_on:
                continue  # each organization row carries its own secrets
            inputs.append(
                {
                    "name": f"auth_{f.name}",
                    "id": f"id_auth_{f.name}",
                    "label": self.connector.label_for(f.name, f.label),
                    "secret": f.secret,
                    "value": self.auth_values.get(f.name, "") if (not f.secret or self.is_bound) else "",
                    "stored": f.secret and stored,
                    "errors": self.auth_errors.get(f.name, []),
                    "max_length": f.max_length,
                }
            )
        return inputs

    def organization_row_inputs(self, row: OrganizationRow, index: int) -> list[dict[str, Any]]:
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            labels = [
                self.connector.label_for(pair.key, f"Value for {pair.key}" if pair.key else "Value")
                for pair in self.secret_headers
            ]
        else:
            labels = [self.connector.label_for(f.name, f.label) for f in auth.secret_fields]
        return [
            {
                "name": f"org_{name}",
                "id": f"id_org_{index}_{name}",
                "label": label,
                "value": row.values.get(name, "") if self.is_bound else "",
                "stored": row.stored,
                "errors": row.errors.get(name, []),
            }
            for name, label in zip(self.organization_secret_names(), labels)
        ]

    def organization_row_forms(self) -> list[tuple[OrganizationRow, list[dict[str, Any]]]]:
        return [(row, self.organization_row_inputs(row, index)) for index, row in enumerate(self.organization_rows)]

    def child_organizations(self):
        return self.organization.children.order_by("name")

    @property
    def auth_errors(self) -> dict[str, list[str]]:
        return getattr(self, "_auth_errors", {})

    @property
    def organization_rows_error(self) -> str:
        return getattr(self, "_organization_rows_error", "")

    # Restarting the form: add or remove rows without saving -----------------------------------

    def restart(self) -> None:
        """Redraw the form as typed, without judging it; a setting left empty gets its default back.

        Switching the authentication type posts the previous type's inputs, so a new type's setting
        (Token's Key, "Authorization") would otherwise arrive empty.
        """
        self.restarted = True
        for f in self.selected_auth_type.settings_fields:
            if f.default and not self.auth_values.get(f.name):
                self.auth_values[f.name] = f.default

    def add_header(self) -> None:
        self.headers.append(HeaderRow())

    def remove_header(self, index: int) -> None:
        if 0 <= index < len(self.headers):
            del self.headers[index]

    def add_secret_header(self) -> None:
        if not self.fixed_header_names:
            self.secret_headers.append(SecretHeaderRow())

    def remove_secret_header(self, index: int) -> None:
        if len(self.secret_headers) > 1 and 0 <= index < len(self.secret_headers) and not self.fixed_header_names:
            del self.secret_headers[index]
            for row in self.organization_rows:
                values = [row.values.get(f"value_{i}", "") for i in range(len(self.secret_headers) + 1)]
                del values[index]
                row.values = {f"value_{i}": v for i, v in enumerate(values)}

    def add_organization_row(self) -> None:
        self.organization_rows.append(OrganizationRow())

    def remove_organization_row(self, index: int) -> None:
        if 0 <= index < len(self.organization_rows):
            del self.organization_rows[index]

    # Validation -------------------------------------------------------------------------------

    def full_clean(self) -> None:
        # A restarted form is not judged yet: the admin is still filling it in, so no errors show.
        if self.restarted:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    @property
    def uses_organization_rows(self) -> bool:
        """Org-specific secrets apply only to an authentication type that has secrets."""
        return self.org_specific_on and self.selected_auth_type.code != catalog.NO_AUTH

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(REQUIRED)
        others = gate.credentials_for(self.organization).filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(NAME_TAKEN)
        return name

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"].strip()
        try:
            URLValidator(schemes=["http", "https"])(url)
        except forms.ValidationError:
            raise forms.ValidationError("Enter a valid URL that starts with http:// or https://.") from None
        return url

    def clean_auth_type(self) -> str:
        return self.selected_auth_type.code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._auth_errors: dict[str, list[str]] = {}
        self._organization_rows_error = ""
        reserved = self._validate_auth()
        self._validate_headers(reserved)
        if self.uses_organization_rows:
            self._validate_organization_rows()
        if self._auth_errors or self._row_errors():
            raise forms.ValidationError("Correct the errors below.", code="rows")
        return cleaned

    def _row_errors(self) -> bool:
        return (
            bool(self._organization_rows_error)
            or any(row.errors for row in self.headers)
            or any(row.errors for row in self.secret_headers)
            or any(row.errors for row in self.organization_rows)
        )

    def _validate_auth(self) -> set[str]:
        """Check the authentication fields; returns the header names that authentication sets."""
        auth = self.selected_auth_type
        org_specific = self.org_specific_on
        if auth.repeats_pairs:
            return self._validate_secret_headers(org_specific)
        stored = self._stored_matches() and not self.instance.org_specific
        for f in auth.fields:
            if f.secret and org_specific:
                continue
            value = self.auth_values.get(f.name, "")
            problem = None
            if len(value) > f.max_length:
                problem = f"Ensure this value has at most {f.max_length} characters (it has {len(value)})."
            elif not value and not (f.secret and stored):
                problem = self._secret_required() if f.secret else REQUIRED
            elif "\r" in value or "\n" in value:
                problem = "This value cannot contain line breaks."
            elif _has_control_characters(value):
                problem = "This value cannot contain control characters."
            elif f.in_header:
                problem = _unsendable_problem(value)
            if problem:
                self._auth_errors[f.name] = [problem]
        if auth.code == catalog.BEARER:
            key = self.auth_values.get("key", "")
            if key and (problem := _header_name_problem(key)):
                self._auth_errors["key"] = [problem]
            elif key.lower() == "content-type":
                self._auth_errors["key"] = ["Choose the Content-Type above instead."]
            if not key:
                return set()
        if auth.code == catalog.AWS4:
            endpoint = self.auth_values.get("endpoint", "")
            if endpoint and "endpoint" not in self._auth_errors:
                try:
                    URLValidator(schemes=["http", "https"])(endpoint)
                except forms.ValidationError:
                    self._auth_errors["endpoint"] = ["Enter a valid URL that starts with http:// or https://."]
        return catalog.headers_set_by(auth.code, self._settings_to_store())

    def _validate_secret_headers(self, org_specific: bool) -> set[str]:
        seen: set[str] = set()
        if len(self.secret_headers) > MAX_SECRET_HEADERS:
            self._auth_errors["key"] = [f"Add at most {MAX_SECRET_HEADERS} secret headers."]
        for row in self.secret_headers:
            if problem := _header_name_problem(row.key):
                row.errors["key"] = [problem]
            elif row.key.lower() in seen:
                row.errors["key"] = ["This header is already listed."]
            elif row.key.lower() == "content-type":
                row.errors["key"] = ["Choose the Content-Type above instead."]
            seen.add(row.key.lower())
            if org_specific:
                continue
            if problem := _header_value_problem(row.value):
                row.errors["value"] = [problem]
            elif not row.value and not (row.stored and not self.instance.org_specific):
                row.errors["value"] = [self._secret_required()]
        return seen

    def _validate_headers(self, reserved: set[str]) -> None:
        if len(self.headers) > MAX_EXTRA_HEADERS:
            self.add_error(None, f"Add at most {MAX_EXTRA_HEADERS} headers.")
        for row, errors in zip(self.headers, _extra_header_errors([(r.name, r.value) for r in self.headers], reserved)):
            row.errors.update(errors)

    def _validate_organization_rows(self) -> None:
        if not self.organization_rows:
            self._organization_rows_error = "Add at least one organization, or turn off Org. Specific Authentication."
            return
        if len(self.organization_rows) > MAX_ORGANIZATION_ROWS:
            self._organization_rows_error = f"Add at most {MAX_ORGANIZATION_ROWS} organizations."
            return
        children = set(self.organization.children.values_list("slug", flat=True))
        seen: set[str] = set()
        for row in self.organization_rows:
            if not row.organization:
                row.errors["organization"] = ["Choose an organization."]
            elif row.organization not in children:
                row.errors["organization"] = ["Choose one of this organization's child organizations."]
            elif row.organization in seen:
                row.errors["organization"] = ["This organization already has a row."]
            seen.add(row.organization)
            auth = self.selected_auth_type
            for name in self.organization_secret_names():
                value = row.values.get(name, "")
                in_header = auth.repeats_pairs or any(f.in_header for f in auth.fields if f.name == name)
                if problem := _header_value_problem(value, sent_in_a_header=in_header):
                    row.errors[name] = [problem]
                elif not value and not row.stored:
                    row.errors[name] = [self._secret_required()]

    # Handing over ------------------------------------------------------------------------------

    def to_input(self) -> CredentialInput:
        """The validated credential, for :mod:`credentials.actions.credentials` to save."""
        data = self.cleaned_data
        auth = self.selected_auth_type
        secrets = None
        if auth.code != catalog.NO_AUTH and not self.org_specific_on:
            secrets = self._posted_secret_values()
        organization_secrets = {}
        if self.uses_organization_rows:
            for row in self.organization_rows:
                if auth.repeats_pairs:
                    posted = {pair.key: row.values.get(f"value_{i}", "") for i, pair in enumerate(self.secret_headers)}
                else:
                    posted = {name: row.values.get(name, "") for name in self.organization_secret_names()}
                organization_secrets[row.organization] = posted
        return CredentialInput(
            connector=self.connector.code,
            name=data["name"],
            description=data["description"].strip(),
            base_url=data["base_url"],
            is_test=data["is_test"],
            content_type=data["content_type"],
            auth_type=auth.code,
            extra_headers=[[row.name, row.value] for row in self.headers],
            auth_settings=self._settings_to_store(),
            secrets=secrets,
            organization_secrets=organization_secrets,
            org_specific=self.uses_organization_rows,
            keep_stored_secrets=self._stored_matches(),
            changed=self.changed_data if self.instance is not None else [],
        )

    def name_taken(self) -> None:
        """Another request took the name between validation and saving."""
        self.add_error("name", NAME_TAKEN)

    def stored_secret_unreadable(self, organization: str = "") -> None:
        """A blank input asked to keep a stored secret that cannot be decrypted: those need typing again."""
        if organization:
            for row in self.organization_rows:
                if row.organization == organization:
                    for name in self.organization_secret_names():
                        if not row.values.get(name):
                            row.errors[name] = [STORED_SECRET_UNREADABLE]
        else:
            for f in self.selected_auth_type.secret_fields:
                if not self.auth_values.get(f.name):
                    self._auth_errors[f.name] = [STORED_SECRET_UNREADABLE]
            for row in self.secret_headers:
                if not row.value:
                    row.errors["value"] = [STORED_SECRET_UNREADABLE]
        self.add_error(None, STORED_SECRET_UNREADABLE)

    def _settings_to_store(self) -> dict[str, Any]:
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return {"header_names": [row.key for row in self.secret_headers]}
        return {f.name: self.auth_values.get(f.name, "") for f in auth.settings_fields}

    def _posted_secret_values(self) -> dict[str, str]:
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return {row.key: row.value for row in self.secret_headers}
        return {f.name: self.auth_values.get(f.name, "") for f in auth.secret_fields}

    def json_errors(self) -> dict[str, list[str]]:
        """Every error keyed the way the JSON API names its fields."""
        errors: dict[str, list[str]] = {}
        for name, messages in self.errors.items():
            if name == "__all__":
                messages = [m for m in messages if m != "Correct the errors below."]
                if not messages:
                    continue
                name = "non_field_errors"
            errors[name] = list(messages)
        for name, messages in self.auth_errors.items():
            errors[f"auth.{name}"] = messages
        if self.organization_rows_error:
            errors["organization_credentials"] = [self.organization_rows_error]
        for index, row in enumerate(self.headers):
            for name, messages in row.errors.items():
                errors[f"extra_headers[{index}].{name}"] = messages
        for index, row in enumerate(self.secret_headers):
            for name, messages in row.errors.items():
                errors[f"auth.headers[{index}].{name}"] = messages
        for index, row in enumerate(self.organization_rows):
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
        rows = [{"organization": row.organization.slug} for row in credential.organization_credentials.all()]
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


class RenameCredentialForm(forms.Form):
    """Inline rename from the tile's More options menu."""

    name = forms.CharField(label="Credential Name", max_length=100)

    def __init__(self, credential: Credential, data: Any = None) -> None:
        self.credential = credential
        super().__init__(data, initial={"name": credential.name}, auto_id=f"id_rename_{credential.pk}_%s")

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(REQUIRED)
        taken = (
            gate.credentials_for(self.credential.organization)
            .filter(name__iexact=name)
            .exclude(pk=self.credential.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(NAME_TAKEN)
        return name
