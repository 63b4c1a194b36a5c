"""The credential form: the rules for creating and editing a credential, for the overlay and the API.

The browser posts the overlay as flat fields with repeated rows (``header_name``/``header_value``,
``auth_key``/``auth_value``, ``org_organization``/``org_<secret field>``). The form validates only:
:meth:`CredentialForm.to_input` hands the result to :mod:`credentials.actions.credentials`.

Secrets are write-only: when editing, a secret input left blank keeps the stored value (for the same
type and origin), and a stored value is decrypted only at save time and only when a blank needs it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.forms.utils import ErrorDict
from django.utils.datastructures import MultiValueDict

from credentials import catalog, gate
from credentials.actions.credentials import CredentialInput
from credentials.forms.credentials.overlay import OverlayInputs
from credentials.forms.credentials.rows import HeaderRow, OrganizationRow, RowEditing, SecretHeaderRow
from credentials.forms.credentials.rules import (
    MAX_EXTRA_HEADERS,
    MAX_ORGANIZATION_ROWS,
    MAX_SECRET_HEADERS,
    NAME_TAKEN,
    ORIGIN_CHANGED,
    REQUIRED,
    STORED_SECRET_UNREADABLE,
    extra_header_errors,
    has_control_characters,
    header_name_problem,
    header_value_problem,
    origin_of,
    unsendable_problem,
)
from credentials.models import Credential, Organization
from credentials.names import clean_name


class CredentialForm(OverlayInputs, RowEditing, forms.Form):
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
        if origin_of(posted_url) != origin_of(self.instance.base_url):
            return True
        if self.selected_auth_type.code == catalog.AWS4 and self.instance.auth_type == catalog.AWS4:
            posted = str(self.data.get("auth_endpoint", "")).strip()
            stored = (self.instance.auth_settings or {}).get("endpoint", "")
            return origin_of(posted) != origin_of(stored)
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
        name = clean_name(self.cleaned_data["name"])
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
            elif has_control_characters(value):
                problem = "This value cannot contain control characters."
            elif f.in_header:
                problem = unsendable_problem(value)
            if problem:
                self._auth_errors[f.name] = [problem]
        if auth.code == catalog.BEARER:
            key = self.auth_values.get("key", "")
            if key and (problem := header_name_problem(key)):
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
            if problem := header_name_problem(row.key):
                row.errors["key"] = [problem]
            elif row.key.lower() in seen:
                row.errors["key"] = ["This header is already listed."]
            elif row.key.lower() == "content-type":
                row.errors["key"] = ["Choose the Content-Type above instead."]
            seen.add(row.key.lower())
            if org_specific:
                continue
            if problem := header_value_problem(row.value):
                row.errors["value"] = [problem]
            elif not row.value and not (row.stored and not self.instance.org_specific):
                row.errors["value"] = [self._secret_required()]
        return seen

    def _validate_headers(self, reserved: set[str]) -> None:
        if len(self.headers) > MAX_EXTRA_HEADERS:
            self.add_error(None, f"Add at most {MAX_EXTRA_HEADERS} headers.")
        for row, errors in zip(self.headers, extra_header_errors([(r.name, r.value) for r in self.headers], reserved)):
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
                if problem := header_value_problem(value, sent_in_a_header=in_header):
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
