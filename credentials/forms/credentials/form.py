"""The credential overlay's form: its own fields, its three formsets of rows, and the rules of the draft.

The browser posts the overlay's fields (``name``, ``auth_username`` …) and three formsets: the extra
headers (``headers-N-name``/``-value``), the secret headers of Headers authentication
(``auth_headers-N-key``/``-value``) and the organization rows of Org. Specific Authentication
(``organizations-N-organization`` and the row's secrets). The form reads them into a
:class:`~credentials.forms.credentials.draft.CredentialDraft`, which holds the rules that the JSON API
shares, and puts each problem back next to its input. It validates only: :meth:`CredentialForm.to_input`
hands the result to :mod:`credentials.actions.credentials`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.datastructures import MultiValueDict

from credentials import catalog
from credentials.actions.credentials import CredentialInput
from credentials.forms.credentials.draft import CredentialDraft
from credentials.forms.credentials.overlay import OverlayInputs
from credentials.forms.credentials.rows import (
    HeaderFormSet,
    OrganizationFormSet,
    RowEditing,
    RowFormSet,
    SecretHeaderFormSet,
    shown,
)
from credentials.forms.credentials.rules import (
    FIELDS,
    NAME_TAKEN,
    STORED_SECRET_UNREADABLE,
    auth_type_field,
    checked_name,
    checked_url,
)
from credentials.models import Credential, Organization

# The formsets' prefixes: the names of the posted rows are "<prefix>-<index>-<input>".
HEADERS = "headers"
SECRET_HEADERS = "auth_headers"
ORGANIZATIONS = "organizations"


class CredentialForm(OverlayInputs, RowEditing, forms.Form):
    name = FIELDS["name"]
    description = FIELDS["description"]
    base_url = FIELDS["base_url"]
    is_test = forms.BooleanField(label="Test credentials", required=False)
    org_specific = forms.BooleanField(label="Org. Specific Authentication", required=False)
    content_type = FIELDS["content_type"]
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
        self.fields["auth_type"] = auth_type_field(self.connector)
        # A view restart (a row added or removed, the type switched) redraws the form as typed.
        self.restarted = False
        self.count_problems: list[str] = []
        self.draft = self._read()

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

    def _read(self) -> CredentialDraft:
        if not self.is_bound:
            draft = CredentialDraft(
                self.organization,
                connector=self.connector,
                instance=self.instance,
                bound=False,
                values=dict(self.initial),
                auth_values={},
            )
            draft.set_headers(None)
            draft.set_secret_headers(None)
            draft.set_organization_rows(None)
            return draft
        values = {name: self.data.get(name, "") for name in (*FIELDS, "auth_type")}
        for name in ("is_test", "org_specific"):
            values[name] = self.fields[name].widget.value_from_datadict(self.data, None, name)
        auth_values = {key[len("auth_") :]: str(self.data.get(key)) for key in self.data if key.startswith("auth_")}
        draft = CredentialDraft(
            self.organization,
            connector=self.connector,
            instance=self.instance,
            values=values,
            auth_values=auth_values,
        )
        headers = self._posted(HeaderFormSet, HEADERS)
        draft.set_headers([(row["name"], row["value"]) for row in headers])
        if draft.selected_auth_type.repeats_pairs:
            pairs = self._posted(SecretHeaderFormSet, SECRET_HEADERS)
            draft.set_secret_headers([(row["key"], row["value"]) for row in pairs])
        else:
            draft.set_secret_headers(None)
        secrets = {name: "" for name in draft.organization_secret_names()}
        rows = self._posted(OrganizationFormSet, ORGANIZATIONS, secrets=secrets)
        draft.set_organization_rows([(row.pop("organization"), row) for row in rows])
        return draft

    def _posted(self, formset: type[RowFormSet], prefix: str, **form_kwargs: Any) -> list[dict[str, str]]:
        posted = formset(self.data, prefix=prefix, form_kwargs=form_kwargs)
        if posted.count_problem:
            self.count_problems.append(posted.count_problem)
        return posted.row_values()

    # What the draft knows, under the names the template and the view use -------------------------

    @property
    def headers(self):
        return self.draft.headers

    @property
    def secret_headers(self):
        return self.draft.secret_headers

    @property
    def organization_rows(self):
        return self.draft.organization_rows

    @property
    def auth_values(self) -> dict[str, str]:
        return self.draft.auth_values

    @property
    def selected_auth_type(self) -> catalog.AuthType:
        """The authentication type the form is showing: posted, stored, or the connector's first."""
        return self.draft.selected_auth_type

    @property
    def org_specific_on(self) -> bool:
        return self.draft.org_specific_on

    @property
    def fixed_header_names(self) -> tuple[str, ...]:
        return self.draft.fixed_header_names

    @property
    def uses_organization_rows(self) -> bool:
        return self.draft.uses_organization_rows

    @property
    def origin_changed(self) -> bool:
        return self.draft.origin_changed

    def organization_secret_names(self) -> list[str]:
        return self.draft.organization_secret_names()

    def _stored_matches(self) -> bool:
        return self.draft.stored_matches()

    # The rows as formsets, to show -----------------------------------------------------------------

    @cached_property
    def header_formset(self) -> RowFormSet:
        rows = [{"name": row.name, "value": row.value} for row in self.headers]
        return shown(HeaderFormSet, HEADERS, rows, [row.errors for row in self.headers])

    @cached_property
    def secret_header_formset(self) -> RowFormSet:
        rows = [{"key": row.key, "value": row.value if self.is_bound else ""} for row in self.secret_headers]
        formset = shown(SecretHeaderFormSet, SECRET_HEADERS, rows, [row.errors for row in self.secret_headers])
        keeps_stored = self.instance is not None and not self.instance.org_specific
        for row_form, row in zip(formset.forms, self.secret_headers):
            row_form.stored, row_form.label = row.stored, row.label
            field = row_form["value"]
            row_form.shown_input = {
                "name": field.html_name,
                "id": field.auto_id,
                "label": row.label,
                "masked": self.connector.masks(row.key),
                "value": (field.value() or "") if self.is_bound else "",
                "stored": row.stored,
                "required": not (row.stored and keeps_stored),
                "errors": row_form.errors.get("value", []),
            }
        return formset

    @cached_property
    def organization_formset(self) -> RowFormSet:
        names = self.organization_secret_names()
        rows = [
            {"organization": row.organization, **{n: row.values.get(n, "") if self.is_bound else "" for n in names}}
            for row in self.organization_rows
        ]
        errors = [row.errors for row in self.organization_rows]
        formset = shown(OrganizationFormSet, ORGANIZATIONS, rows, errors, secrets=self.organization_secret_labels())
        for row_form, row in zip(formset.forms, self.organization_rows):
            row_form.stored = row.stored
        return formset

    # Validation -------------------------------------------------------------------------------

    def full_clean(self) -> None:
        # A restarted form is not judged yet: the admin is still filling it in, so no errors show.
        if self.restarted:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean_name(self) -> str:
        return checked_name(self.cleaned_data["name"], self.organization, self.instance)

    def clean_base_url(self) -> str:
        return checked_url(self.cleaned_data["base_url"])

    def clean_auth_type(self) -> str:
        return self.selected_auth_type.code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for problem in self.count_problems:
            self.add_error(None, problem)
        rows_fine = self.draft.check()
        for message in self.draft.non_field_errors:
            self.add_error(None, message)
        if self.selected_auth_type.repeats_pairs:
            # The secret headers' list-level problem ("Add at most …") has no input of its own to sit by.
            for message in self.draft.auth_errors.get("key", []):
                self.add_error(None, message)
        if not rows_fine:
            raise forms.ValidationError("Correct the errors below.", code="rows")
        return cleaned

    # Handing over ------------------------------------------------------------------------------

    def to_input(self) -> CredentialInput:
        """The validated credential, for :mod:`credentials.actions.credentials` to save."""
        return self.draft.to_input(self.cleaned_data, self.changed_data if self.instance is not None else [])

    def name_taken(self) -> None:
        """Another request took the name between validation and saving."""
        self.add_error("name", NAME_TAKEN)

    def stored_secret_unreadable(self, organization: str = "") -> None:
        """A blank input asked to keep a stored secret that cannot be decrypted: those need typing again."""
        self.draft.stored_secret_unreadable(organization)
        self.add_error(None, STORED_SECRET_UNREADABLE)
