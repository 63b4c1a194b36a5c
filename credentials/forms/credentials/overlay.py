"""What the overlay's template shows of a credential form: its inputs, labelled, with their errors."""

from __future__ import annotations

from typing import Any

from credentials.forms.credentials.rows import OrganizationRow


class OverlayInputs:
    """The selected type's inputs, ready to render (mixed into the credential form)."""

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
