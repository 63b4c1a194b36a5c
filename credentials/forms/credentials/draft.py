"""A credential as typed, before it is saved, and the rules that judge it: for the overlay and the JSON API.

The overlay reads its fields and formsets into a :class:`CredentialDraft`; the API builds one from its
typed body. Both then call :meth:`CredentialDraft.check` and, when nothing is wrong, hand
:meth:`CredentialDraft.to_input` to :mod:`credentials.actions.credentials`. The problems stay on the draft
(``field_errors``, ``auth_errors``, ``rows_errors`` and each row's ``errors``), for each path to show in
its own names.

Secrets are write-only: when editing, a secret left blank keeps the stored value (for the same type and
origin), and a stored value is decrypted only at save time and only when a blank needs it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator

from credentials import catalog
from credentials.actions.credentials import CredentialInput
from credentials.forms.credentials.rows import HeaderRow, OrganizationRow, SecretHeaderRow
from credentials.forms.credentials.rules import (
    FIELDS,
    MAX_EXTRA_HEADERS,
    MAX_ORGANIZATION_ROWS,
    MAX_SECRET_HEADERS,
    ORIGIN_CHANGED,
    STORED_SECRET_UNREADABLE,
    auth_type_field,
    checked_name,
    checked_url,
    extra_header_errors,
    has_control_characters,
    header_name_problem,
    header_value_problem,
    invalid_url,
    origin_of,
    required_problem,
    unsendable_problem,
    url_scheme_problem,
)
from credentials.models import Credential, Organization


class CredentialDraft:
    """One credential's values as typed (``bound``) or as stored (an edit form not posted yet)."""

    def __init__(
        self,
        organization: Organization,
        *,
        connector: catalog.Connector,
        instance: Credential | None = None,
        bound: bool = True,
        values: dict[str, Any],
        auth_values: dict[str, str],
    ) -> None:
        self.organization = organization
        self.connector = connector
        self.instance = instance
        self.bound = bound
        # name, description, base_url, is_test, org_specific, content_type, auth_type: as typed.
        self.values = values
        code = values.get("auth_type")
        self.selected_auth_type = catalog.AUTH_TYPES[code if code in connector.auth_types else connector.auth_types[0]]
        self.org_specific_on = bool(values.get("org_specific"))
        self.auth_values = self._auth_values(auth_values)
        self.headers: list[HeaderRow] = []
        self.secret_headers: list[SecretHeaderRow] = []
        self.organization_rows: list[OrganizationRow] = []
        self.field_errors: dict[str, list[str]] = {}
        self.auth_errors: dict[str, list[str]] = {}
        self.rows_errors: dict[str, str] = {}  # a whole list's problem: "headers", "organizations", …
        self.non_field_errors: list[str] = []

    # The rows -------------------------------------------------------------------------------------

    # Set in this order (an organization row's secrets follow the secret headers); None for a list that
    # was not given, for which what is stored stands in.
    def set_headers(self, headers: list[tuple[str, str]] | None) -> None:
        if headers is None:
            headers = list(self.instance.extra_headers) if self.instance else []
        self.headers = [HeaderRow(name.strip(), value) for name, value in headers]

    def set_secret_headers(self, pairs: list[tuple[str, str]] | None) -> None:
        self.secret_headers = self._secret_header_rows(pairs)

    def set_organization_rows(self, rows: list[tuple[str, dict[str, str]]] | None) -> None:
        stored = self._stored_organization_slugs()
        if rows is None:
            rows = [(slug, {}) for slug in stored]
        self.organization_rows = [
            OrganizationRow(slug.strip(), values, stored=slug.strip() in stored) for slug, values in rows
        ]

    def _secret_header_rows(self, pairs: list[tuple[str, str]] | None) -> list[SecretHeaderRow]:
        stored_names = self._stored_header_names()
        if self.fixed_header_names:
            posted = dict(pairs or ())
            return [
                SecretHeaderRow(
                    name, posted.get(name, ""), stored=name in stored_names, label=self.connector.label_for(name, name)
                )
                for name in self.fixed_header_names
            ]
        if pairs is None:
            return [SecretHeaderRow(name, "", stored=bool(name)) for name in stored_names or [""]]
        rows = [SecretHeaderRow(k.strip(), v, stored=k.strip() in stored_names) for k, v in pairs]
        return rows or [SecretHeaderRow()]

    def _stored_header_names(self) -> list[str]:
        if not self.stored_matches() or self.selected_auth_type.code != catalog.HEADERS:
            return []
        return list(self.instance.auth_settings.get("header_names", []))

    def _stored_organization_slugs(self) -> list[str]:
        if not self.stored_matches() or not self.instance.org_specific:
            return []
        return [
            row.organization.slug
            for row in self.instance.organization_credentials.select_related("organization").defer("secrets")
        ]

    def _auth_values(self, given: dict[str, str]) -> dict[str, str]:
        auth = self.selected_auth_type
        values: dict[str, str] = {}
        for f in auth.fields if not auth.repeats_pairs else ():
            if self.bound:
                value = str(given.get(f.name, ""))
                # Secrets are kept exactly as typed; settings lose stray spaces.
                values[f.name] = value if f.secret else value.strip()
            elif not f.secret:
                stored = self.instance.auth_settings if self.stored_matches() else {}
                values[f.name] = stored.get(f.name, f.default)
        return values

    # What the values mean -------------------------------------------------------------------------

    @property
    def fixed_header_names(self) -> tuple[str, ...]:
        return self.connector.fixed_headers if self.selected_auth_type.code == catalog.HEADERS else ()

    @property
    def uses_organization_rows(self) -> bool:
        """Org-specific secrets apply only to an authentication type that has secrets."""
        return self.org_specific_on and self.selected_auth_type.code != catalog.NO_AUTH

    def stored_matches(self) -> bool:
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
        if self.instance is None or not self.bound:
            return False
        if origin_of(str(self.values.get("base_url", "")).strip()) != origin_of(self.instance.base_url):
            return True
        if self.selected_auth_type.code == catalog.AWS4 and self.instance.auth_type == catalog.AWS4:
            posted = str(self.auth_values.get("endpoint", "")).strip()
            stored = (self.instance.auth_settings or {}).get("endpoint", "")
            return origin_of(posted) != origin_of(stored)
        return False

    def secret_required(self, label: str) -> str:
        return ORIGIN_CHANGED if self.origin_changed else required_problem(label)

    def secret_header_label(self, key: str) -> str:
        """A secret header value's label: the connector's ("API Key"), else "Value for X-Api-Key"."""
        return self.connector.label_for(key, f"Value for {key}" if key else "Value")

    def organization_secret_labels(self) -> dict[str, str]:
        """An organization row's secret inputs, by name, with their labels."""
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            labels = [self.secret_header_label(pair.key) for pair in self.secret_headers]
        else:
            labels = [self.connector.label_for(f.name, f.label) for f in auth.secret_fields]
        return dict(zip(self.organization_secret_names(), labels))

    def organization_secret_names(self) -> list[str]:
        """The names of one organization row's secrets for the selected type."""
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return [f"value_{index}" for index in range(len(self.secret_headers))]
        return [f.name for f in auth.secret_fields]

    # The rules ------------------------------------------------------------------------------------

    def check_fields(self) -> dict[str, Any]:
        """The credential's own fields (the overlay's form checks these itself); returns them cleaned."""
        cleaned: dict[str, Any] = {}
        checks = {**FIELDS, "auth_type": auth_type_field(self.connector)}
        for name, field in checks.items():
            try:
                value = field.clean(self.values.get(name, ""))
                if name == "name":
                    value = checked_name(value, self.organization, self.instance)
                elif name == "base_url":
                    value = checked_url(value)
                cleaned[name] = value
            except forms.ValidationError as error:
                self.field_errors[name] = list(error.messages)
        return cleaned

    def check(self) -> bool:
        """Judge the authentication and the rows; True when nothing is wrong with them."""
        reserved = self._check_auth()
        self._check_headers(reserved)
        if self.uses_organization_rows:
            self._check_organization_rows()
        return not (self.auth_errors or self.rows_errors or self.has_row_errors())

    def has_row_errors(self) -> bool:
        rows = [*self.headers, *self.secret_headers, *self.organization_rows]
        return any(row.errors for row in rows)

    def _check_auth(self) -> set[str]:
        """Check the authentication fields; returns the header names that authentication sets."""
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return self._check_secret_headers()
        stored = self.stored_matches() and not self.instance.org_specific
        for f in auth.fields:
            if f.secret and self.org_specific_on:
                continue
            value = self.auth_values.get(f.name, "")
            problem = None
            if len(value) > f.max_length:
                problem = f"Ensure this value has at most {f.max_length} characters (it has {len(value)})."
            elif not value and not (f.secret and stored):
                label = self.connector.label_for(f.name, f.label)
                problem = self.secret_required(label) if f.secret else required_problem(label)
            elif "\r" in value or "\n" in value:
                problem = "This value cannot contain line breaks."
            elif has_control_characters(value):
                problem = "This value cannot contain control characters."
            elif f.in_header:
                problem = unsendable_problem(value)
            if problem:
                self.auth_errors[f.name] = [problem]
        if auth.code == catalog.BEARER:
            key = self.auth_values.get("key", "")
            if key and (problem := header_name_problem(key)):
                self.auth_errors["key"] = [problem]
            elif key.lower() == "content-type":
                self.auth_errors["key"] = ["Choose the Content-Type above instead."]
            if not key:
                return set()
        if auth.code == catalog.AWS4:
            endpoint = self.auth_values.get("endpoint", "")
            if endpoint and "endpoint" not in self.auth_errors:
                if not endpoint.lower().startswith(("https://", "http://")):
                    self.auth_errors["endpoint"] = [url_scheme_problem("Base Endpoint")]
                else:
                    try:
                        URLValidator(schemes=["http", "https"])(endpoint)
                    except forms.ValidationError:
                        self.auth_errors["endpoint"] = [invalid_url("Base Endpoint")]
        return catalog.headers_set_by(auth.code, self.settings_to_store())

    def _check_secret_headers(self) -> set[str]:
        seen: set[str] = set()
        if len(self.secret_headers) > MAX_SECRET_HEADERS:
            self.auth_errors["key"] = [f"Add at most {MAX_SECRET_HEADERS} secret headers."]
        for row in self.secret_headers:
            if problem := header_name_problem(row.key):
                row.errors["key"] = [problem]
            elif row.key.lower() in seen:
                row.errors["key"] = ["This header is already listed."]
            elif row.key.lower() == "content-type":
                row.errors["key"] = ["Choose the Content-Type above instead."]
            seen.add(row.key.lower())
            if self.org_specific_on:
                continue
            if problem := header_value_problem(row.value):
                row.errors["value"] = [problem]
            elif not row.value and not (row.stored and not self.instance.org_specific):
                row.errors["value"] = [self.secret_required(self.secret_header_label(row.key))]
        return seen

    def _check_headers(self, reserved: set[str]) -> None:
        if len(self.headers) > MAX_EXTRA_HEADERS:
            self.non_field_errors.append(f"Add at most {MAX_EXTRA_HEADERS} headers.")
        for row, errors in zip(self.headers, extra_header_errors([(r.name, r.value) for r in self.headers], reserved)):
            row.errors.update(errors)

    def _check_organization_rows(self) -> None:
        if not self.organization_rows:
            self.rows_errors["organizations"] = (
                "Add at least one organization, or turn off Org. Specific Authentication."
            )
            return
        if len(self.organization_rows) > MAX_ORGANIZATION_ROWS:
            self.rows_errors["organizations"] = f"Add at most {MAX_ORGANIZATION_ROWS} organizations."
            return
        children = set(self.organization.children.values_list("slug", flat=True))
        auth = self.selected_auth_type
        labels = self.organization_secret_labels()
        seen: set[str] = set()
        for row in self.organization_rows:
            if not row.organization:
                row.errors["organization"] = ["Choose an organization."]
            elif row.organization not in children:
                row.errors["organization"] = ["Choose one of this organization's child organizations."]
            elif row.organization in seen:
                row.errors["organization"] = ["This organization already has a row."]
            seen.add(row.organization)
            for name in self.organization_secret_names():
                value = row.values.get(name, "")
                in_header = auth.repeats_pairs or any(f.in_header for f in auth.fields if f.name == name)
                if problem := header_value_problem(value, sent_in_a_header=in_header):
                    row.errors[name] = [problem]
                elif not value and not row.stored:
                    row.errors[name] = [self.secret_required(labels[name])]

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
                    self.auth_errors[f.name] = [STORED_SECRET_UNREADABLE]
            for row in self.secret_headers:
                if not row.value:
                    row.errors["value"] = [STORED_SECRET_UNREADABLE]
        self.non_field_errors.append(STORED_SECRET_UNREADABLE)

    # Handing over ---------------------------------------------------------------------------------

    def to_input(self, cleaned: dict[str, Any], changed: list[str]) -> CredentialInput:
        """The checked credential, for :mod:`credentials.actions.credentials` to save."""
        auth = self.selected_auth_type
        secrets = None
        if auth.code != catalog.NO_AUTH and not self.org_specific_on:
            secrets = self._secret_values()
        organization_secrets = {}
        if self.uses_organization_rows:
            for row in self.organization_rows:
                if auth.repeats_pairs:
                    typed = {pair.key: row.values.get(f"value_{i}", "") for i, pair in enumerate(self.secret_headers)}
                else:
                    typed = {name: row.values.get(name, "") for name in self.organization_secret_names()}
                organization_secrets[row.organization] = typed
        return CredentialInput(
            connector=self.connector.code,
            name=cleaned["name"],
            description=cleaned["description"].strip(),
            base_url=cleaned["base_url"],
            is_test=bool(self.values.get("is_test")),
            content_type=cleaned["content_type"],
            auth_type=auth.code,
            extra_headers=[[row.name, row.value] for row in self.headers],
            auth_settings=self.settings_to_store(),
            secrets=secrets,
            organization_secrets=organization_secrets,
            org_specific=self.uses_organization_rows,
            keep_stored_secrets=self.stored_matches(),
            changed=changed,
        )

    def settings_to_store(self) -> dict[str, Any]:
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return {"header_names": [row.key for row in self.secret_headers]}
        return {f.name: self.auth_values.get(f.name, "") for f in auth.settings_fields}

    def _secret_values(self) -> dict[str, str]:
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return {row.key: row.value for row in self.secret_headers}
        return {f.name: self.auth_values.get(f.name, "") for f in auth.secret_fields}
