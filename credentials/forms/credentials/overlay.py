"""What the overlay's template shows of a credential form: its inputs, labelled, with their errors."""

from __future__ import annotations

from typing import Any


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

    def organization_secret_labels(self) -> dict[str, str]:
        """An organization row's secret inputs, by name, with their labels."""
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            labels = [
                self.connector.label_for(pair.key, f"Value for {pair.key}" if pair.key else "Value")
                for pair in self.secret_headers
            ]
        else:
            labels = [self.connector.label_for(f.name, f.label) for f in auth.secret_fields]
        return dict(zip(self.organization_secret_names(), labels))

    def organization_row_forms(self) -> list[tuple[Any, list[dict[str, Any]]]]:
        """Each organization row's form, with its secret inputs ready to render."""
        rows = []
        for row in self.organization_formset.forms:
            inputs = [
                {
                    "name": row[name].html_name,
                    "id": row[name].auto_id,
                    "label": row[name].label,
                    "value": row[name].value() or "",
                    "stored": row.stored,
                    "errors": row[name].errors,
                }
                for name in self.organization_secret_names()
            ]
            rows.append((row, inputs))
        return rows

    def child_organizations(self):
        return self.organization.children.order_by("name")

    @property
    def auth_errors(self) -> dict[str, list[str]]:
        return self.draft.auth_errors

    @property
    def organization_rows_error(self) -> str:
        return self.draft.rows_errors.get("organizations", "")
