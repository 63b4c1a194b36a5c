"""The credential form's repeated rows: what each row holds, the formsets the overlay posts them in, and
the view restarts that add or remove rows without saving.

The overlay posts each list as a Django formset (``headers-0-name``, ``auth_headers-0-key``,
``organizations-0-organization`` …, with its management form). The formsets only read and show rows: the
rules live in :mod:`credentials.forms.credentials.draft`, shared with the JSON API, and a row's problems
come back onto its own form, next to its own inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT

from credentials.forms.credentials.rules import MAX_EXTRA_HEADERS, MAX_ORGANIZATION_ROWS, MAX_SECRET_HEADERS

ROWS_UNREADABLE = "The {rows} could not be read: the form was changed outside credhub. Add them again."


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


def _text(label: str) -> forms.CharField:
    # Every value is taken as typed: the rules judge it, with the overlay's and the API's messages.
    return forms.CharField(label=label, required=False, strip=False)


class HeaderForm(forms.Form):
    name = _text("Header name")
    value = _text("Header value")


class SecretHeaderForm(forms.Form):
    key = _text("Key")
    value = _text("Value")


class OrganizationForm(forms.Form):
    """One organization row: the child organization and the selected type's secrets, named by ``secrets``."""

    organization = _text("Organization")

    def __init__(self, *args: Any, secrets: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in (secrets or {}).items():
            self.fields[name] = _text(label)


class RowFormSet(forms.BaseFormSet):
    """A formset whose row count is read strictly, and whose rows are shown back as typed.

    Django would take ``TOTAL_FORMS`` of ``-1`` or ``²`` and quietly show no rows; here such a count is a
    problem the form names, and a count past ``absolute_max`` reads that many rows only, so the rules'
    "Add at most …" answers it.
    """

    rows = "rows"  # what the rows are called in the problem's message

    def __init__(self, data: Any = None, *, prefix: str, initial: list | None = None, **kwargs: Any) -> None:
        super().__init__(data, prefix=prefix, initial=initial, **kwargs)
        self.count_problem = ""
        self._posted_count = self._read_count() if self.is_bound else 0

    def _read_count(self) -> int:
        raw = self.data.get(f"{self.prefix}-{TOTAL_FORM_COUNT}")
        if raw is None:
            # Posted without these rows at all (a script, or a form before the rows were shown): none.
            return 0
        raw = str(raw).strip()
        if not (raw.isascii() and raw.isdigit()):  # "-1", "²", "٣", "ten"
            self.count_problem = ROWS_UNREADABLE.format(rows=self.rows)
            return 0
        # Past a few digits the number only matters for being too many (and int() of 4,300 digits fails).
        return int(raw) if len(raw) <= 6 else self.absolute_max

    def total_form_count(self) -> int:
        if self.is_bound:
            return min(self._posted_count, self.absolute_max)
        return len(self.initial or ())

    def initial_form_count(self) -> int:
        return 0 if self.is_bound else len(self.initial or ())

    def row_values(self) -> list[dict[str, str]]:
        """Each row's inputs as typed (a missing input is empty)."""
        return [{name: form[name].value() or "" for name in form.fields} for form in self.forms]


def _formset(form: type[forms.Form], limit: int, rows: str) -> type[RowFormSet]:
    # One row past the limit is read, so that the rules can say "Add at most …" rather than drop it.
    formset = forms.formset_factory(form, formset=RowFormSet, extra=0, max_num=limit, absolute_max=limit + 1)
    formset.rows = rows
    return formset


HeaderFormSet = _formset(HeaderForm, MAX_EXTRA_HEADERS, "extra headers")
SecretHeaderFormSet = _formset(SecretHeaderForm, MAX_SECRET_HEADERS, "secret headers")
OrganizationFormSet = _formset(OrganizationForm, MAX_ORGANIZATION_ROWS, "organization rows")


def shown(
    formset: type[RowFormSet],
    prefix: str,
    rows: list[dict[str, str]],
    errors: list[dict[str, list[str]]],
    **form_kwargs: Any,
) -> RowFormSet:
    """The formset that shows ``rows`` (as they stand after a restart or a check), each with its errors."""
    data = {f"{prefix}-{TOTAL_FORM_COUNT}": str(len(rows)), f"{prefix}-{INITIAL_FORM_COUNT}": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    shown_rows = formset(data, prefix=prefix, form_kwargs=form_kwargs)
    for form, row_errors in zip(shown_rows.forms, errors):
        for name, messages in row_errors.items():
            form.add_error(name, list(messages))
    return shown_rows


class RowEditing:
    """Add or remove rows of a :class:`~credentials.forms.credentials.form.CredentialForm` ("view restart")."""

    headers: list[HeaderRow]
    secret_headers: list[SecretHeaderRow]
    organization_rows: list[OrganizationRow]
    auth_values: dict[str, str]
    restarted: bool
    can_add_organization: bool

    def restart(self) -> None:
        """Redraw the form as typed, without judging it; a setting left empty gets its default back.

        Switching the authentication type posts the previous type's inputs, so a new type's setting
        (Token's Key, "Authorization") would otherwise arrive empty.
        """
        self.restarted = True
        for f in self.selected_auth_type.settings_fields:
            if f.default and not self.auth_values.get(f.name):
                self.auth_values[f.name] = f.default

    # A row is added only while the formset would read it back: past that, it would vanish unseen.
    def add_header(self) -> None:
        if len(self.headers) < HeaderFormSet.absolute_max:
            self.headers.append(HeaderRow())

    def remove_header(self, index: int) -> None:
        if 0 <= index < len(self.headers):
            del self.headers[index]

    def add_secret_header(self) -> None:
        if not self.fixed_header_names and len(self.secret_headers) < SecretHeaderFormSet.absolute_max:
            self.secret_headers.append(SecretHeaderRow())

    def remove_secret_header(self, index: int) -> None:
        if len(self.secret_headers) > 1 and 0 <= index < len(self.secret_headers) and not self.fixed_header_names:
            del self.secret_headers[index]
            for row in self.organization_rows:
                values = [row.values.get(f"value_{i}", "") for i in range(len(self.secret_headers) + 1)]
                del values[index]
                row.values = {f"value_{i}": v for i, v in enumerate(values)}

    def add_organization_row(self) -> None:
        # Past one row per child organization a row could only repeat one (the overlay disables Add).
        if len(self.organization_rows) < OrganizationFormSet.absolute_max and self.can_add_organization:
            self.organization_rows.append(OrganizationRow())

    def remove_organization_row(self, index: int) -> None:
        if 0 <= index < len(self.organization_rows):
            del self.organization_rows[index]
