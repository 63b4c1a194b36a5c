"""How a name typed by an admin is cleaned up, the same on every screen, in the API and the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError

REQUIRED = "This field is required."


def clean_name(value: str) -> str:
    """``value`` with runs of white space folded to one space and none at either end; refuses an empty
    result, so that "  " is not a name."""
    name = " ".join(value.split())
    if not name:
        raise ValidationError(REQUIRED, code="required")
    return name
