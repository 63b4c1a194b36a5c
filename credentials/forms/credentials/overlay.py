"""What the overlay's template shows of a credential form: its inputs, labelled, with their errors."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from credentials import catalog


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
                    # Secrets are masked while typed (with Show); identifiers and settings are not.
                    "masked": f.secret and not f.identifier,
                    # A stored secret is never sent back: only what was typed in this form is.
                    "value": self.auth_values.get(f.name, "") if (not f.secret or self.is_bound) else "",
                    "stored": f.secret and stored,
                    "required": not (f.secret and stored),
                    "placeholder": f.placeholder,
                    "help": f.help_text,
                    "errors": self.auth_errors.get(f.name, []),
                    "max_length": f.max_length,
                }
            )
        return inputs

    def organization_secret_labels(self) -> dict[str, str]:
        return self.draft.organization_secret_labels()

    def organization_row_forms(self) -> list[dict[str, Any]]:
        """Each organization row: its form, the organizations its dropdown offers (those no other row
        chose), the name its secrets are labelled with, and its secret inputs ready to render."""
        children = self.child_organizations
        names = {child.slug: child.name for child in children}
        forms = self.organization_formset.forms
        chosen = [str(row["organization"].value() or "") for row in forms]
        masked = self._organization_secrets_masked()
        rows = []
        for index, row in enumerate(forms):
            others = set(chosen[:index] + chosen[index + 1 :])
            inputs = [
                {
                    "name": row[name].html_name,
                    "id": row[name].auto_id,
                    "label": row[name].label,
                    "masked": masked.get(name, True),
                    "value": row[name].value() or "",
                    "stored": row.stored,
                    "required": not row.stored,
                    "errors": row[name].errors,
                }
                for name in self.organization_secret_names()
            ]
            rows.append(
                {
                    "form": row,
                    "index": index,
                    # Unchosen, a row is named by its place, so that no two rows' inputs share a label.
                    "name": names.get(chosen[index]) or f"Organization {index + 1}",
                    "options": [(child, child.slug in others) for child in children],
                    "inputs": inputs,
                }
            )
        return rows

    def _organization_secrets_masked(self) -> dict[str, bool]:
        auth = self.selected_auth_type
        if auth.repeats_pairs:
            return {f"value_{i}": self.connector.masks(pair.key) for i, pair in enumerate(self.secret_headers)}
        return {f.name: not f.identifier for f in auth.secret_fields}

    @cached_property
    def child_organizations(self) -> list:
        return list(self.organization.children.order_by("name"))

    @property
    def can_add_organization(self) -> bool:
        """One row per child organization at most: past that, a row could only repeat one."""
        return len(self.organization_rows) < len(self.child_organizations)

    def problems(self) -> list[dict[str, str]]:
        """Every problem of the form, in the order of its inputs, each with the input it belongs to (if
        any), for the summary at the top of the overlay."""
        found: list[dict[str, str]] = []

        def add(messages, target: str = "", label: str = "") -> None:
            for message in messages:
                found.append({"target": target, "label": label, "message": str(message)})

        for message in self.non_field_errors():
            if message != "Correct the errors below.":
                add([message])
        for name in ("name", "description", "base_url", "content_type"):
            add(self.errors.get(name, []), f"id_{name}", self.fields[name].label)
        for index, row in enumerate(self.header_formset.forms):
            for name in ("name", "value"):
                add(row.errors.get(name, []), row[name].auto_id, f"Header {index + 1} {row[name].label.split()[-1]}")
        for field in self.auth_inputs():
            add(field["errors"], field["id"], field["label"])
        if self.selected_auth_type.repeats_pairs:
            for index, row in enumerate(self.secret_header_formset.forms):
                add(row.errors.get("key", []), row["key"].auto_id, f"Secret header {index + 1} key")
                add(row.errors.get("value", []), row["value"].auto_id, getattr(row, "label", "Value"))
        if self.org_specific_on and self.selected_auth_type.code != catalog.NO_AUTH:
            add([self.organization_rows_error] if self.organization_rows_error else [])
            for row in self.organization_row_forms():
                form = row["form"]
                add(form.errors.get("organization", []), form["organization"].auto_id, row["name"])
                for field in row["inputs"]:
                    add(field["errors"], field["id"], f"{row['name']} — {field['label']}")
        return found

    @property
    def auth_errors(self) -> dict[str, list[str]]:
        return self.draft.auth_errors

    @property
    def organization_rows_error(self) -> str:
        return self.draft.rows_errors.get("organizations", "")
