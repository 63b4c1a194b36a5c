"""The credential forms: the overlay's form (``form``), its rows and restarts (``rows``), what its template
shows (``overlay``), the credential as typed and the rules it is judged by (``draft``, ``rules``), the JSON
API's adapter (``api``) and rename."""

from __future__ import annotations

from credentials.forms.credentials.api import changed_fields, draft_from_json, json_errors
from credentials.forms.credentials.draft import CredentialDraft
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
    "CredentialDraft",
    "CredentialForm",
    "RenameCredentialForm",
    "changed_fields",
    "draft_from_json",
    "extra_headers_problems",
    "json_errors",
    "same_origin",
]
