"""The credential form's repeated rows, and the view restarts that add or remove them without saving."""

from __future__ import annotations

from dataclasses import dataclass, field


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


class RowEditing:
    """Add or remove rows of a :class:`~credentials.forms.credentials.form.CredentialForm` ("view restart")."""

    headers: list[HeaderRow]
    secret_headers: list[SecretHeaderRow]
    organization_rows: list[OrganizationRow]
    auth_values: dict[str, str]
    restarted: bool

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
