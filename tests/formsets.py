"""The overlay's rows as the browser posts them: one Django formset per list, with its management form."""

from __future__ import annotations


def formset(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def headers(*pairs: tuple[str, str]) -> dict[str, str]:
    """Extra header rows: (name, value) each."""
    return formset("headers", [{"name": name, "value": value} for name, value in pairs])


def secret_headers(*pairs: tuple[str, str]) -> dict[str, str]:
    """Headers authentication's Key/Value rows: (key, value) each."""
    return formset("auth_headers", [{"key": key, "value": value} for key, value in pairs])


def organizations(*rows: dict[str, str]) -> dict[str, str]:
    """Organization rows: {"organization": slug, <secret name>: value, …} each."""
    return formset("organizations", list(rows))
