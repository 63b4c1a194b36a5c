"""Deleting a credential: the connections that used it stay listed, revoked, until re-authenticated.

The access key side of revocation lives in ``credentials/actions/access_keys.py``; this credential
delete joins the other credential changes in ``credentials/actions/credentials.py`` once that exists.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from credentials import audit
from credentials.actions.connections import revoke_connections_for_credential
from credentials.models import Credential


def delete_credential(credential: Credential, *, actor: Any = None, request: Any = None) -> list[str]:
    """Delete a credential and revoke the connections that used it; returns their names."""
    with transaction.atomic():
        names = revoke_connections_for_credential(credential)
        audit.record(
            "credential.deleted",
            organization=credential.organization,
            actor=actor,
            target=credential,
            request=request,
            revoked_connections=names,
        )
        credential.delete()
    return names
