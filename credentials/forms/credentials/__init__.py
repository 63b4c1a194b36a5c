"""The credential forms: the overlay's form (``form``), its rows and restarts (``rows``), what its template
shows (``overlay``), the rules every path shares (``rules``), the JSON API's adapter (``api``) and rename."""

from __future__ import annotations

from credentials.forms.credentials.api import form_data_from_json, json_errors
from credentials.forms.credentials.form import CredentialForm
from credentials.forms.credentials.rename import RenameCredentialForm
from credentials.forms.credentials.rules import (
    NAME_TAKEN,
    ORIGIN_CHANGED,
    REQUIRED,
    STORED_SECRET_UNREADABLE,
    extra_headers_problems,
    same_origin,
)

__all__ = [
    "NAME_TAKEN",
    "ORIGIN_CHANGED",
    "REQUIRED",
    "STORED_SECRET_UNREADABLE",
    "CredentialForm",
    "RenameCredentialForm",
    "extra_headers_problems",
    "form_data_from_json",
    "json_errors",
    "same_origin",
]
