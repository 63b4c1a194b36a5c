"""Every change to a credential: create, edit, rename, delete, test.

Each function takes validated input and keyword-only ``actor`` and ``request``, writes in one
transaction together with its audit event, and is the only place that records that event: when the
audit write fails, nothing of the change is left behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from credentials import audit, outbound
from credentials.actions.connections import revoke_connections_for_credential
from credentials.encryption import DecryptionError
from credentials.models import Credential, Organization, OrganizationCredential
from credentials.webhooks.events import credential_data, emit


@dataclass
class CredentialInput:
    """A validated credential, as the overlay's form or the JSON API hands it over.

    A secret left blank keeps its stored value, but only when ``keep_stored_secrets`` is true (same
    authentication type, same origin): the rules that decide this live with the form.
    """

    connector: str
    name: str
    description: str
    base_url: str
    is_test: bool
    content_type: str
    auth_type: str
    extra_headers: list[list[str]]
    auth_settings: dict[str, Any]
    # The credential's own secrets, or None when it has none (No Authentication, org-specific).
    secrets: dict[str, str] | None
    # Org-specific rows: child organization slug -> its secrets. Empty when not org-specific.
    organization_secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    org_specific: bool = False
    keep_stored_secrets: bool = False
    # What the audit event names as changed (field names only, never values).
    changed: list[str] = field(default_factory=list)


class NameTaken(Exception):
    """Another credential of the organization took the name meanwhile."""


class StoredSecretUnreadable(Exception):
    """A blank input asked to keep a stored secret that the configured keys cannot decrypt.

    ``organization`` is the child organization's slug when the unreadable secrets are a row's.
    """

    def __init__(self, organization: str = "") -> None:
        super().__init__(organization)
        self.organization = organization


def _origin(url: str) -> str:
    """ "https://host:443", as the audit log shows an origin."""
    if not url:
        return ""
    scheme, host, port = outbound.origin(url)
    return f"{scheme}://{host}:{port}"


def _origins(credential: Credential) -> dict[str, str]:
    return {
        "base_url": _origin(credential.base_url),
        "endpoint": _origin((credential.auth_settings or {}).get("endpoint", "")),
    }


def _merge(posted: dict[str, str], stored: dict[str, str]) -> dict[str, str]:
    return {name: value or stored.get(name, "") for name, value in posted.items()}


def _own_secrets(credential: Credential | None, data: CredentialInput) -> dict[str, str] | None:
    if data.secrets is None:
        return None
    stored: dict[str, str] = {}
    keep = data.keep_stored_secrets and credential is not None and not credential.org_specific
    if keep and credential.secrets is not None and not all(data.secrets.values()):
        try:
            stored = credential.secrets.reveal()
        except DecryptionError:
            raise StoredSecretUnreadable() from None
    return _merge(data.secrets, stored)


def _replace_organization_rows(credential: Credential, data: CredentialInput, previous: dict) -> None:
    credential.organization_credentials.all().delete()
    if not data.org_specific:
        return
    children = {o.slug: o for o in credential.organization.children.all()}
    for slug, posted in data.organization_secrets.items():
        stored: dict[str, str] = {}
        if slug in previous and not all(posted.values()):
            try:
                stored = previous[slug].secrets.reveal()
            except DecryptionError:
                raise StoredSecretUnreadable(slug) from None
        OrganizationCredential.objects.create(
            credential=credential, organization=children[slug], secrets=_merge(posted, stored)
        )


def _apply(credential: Credential, data: CredentialInput) -> None:
    credential.name = data.name
    credential.description = data.description
    credential.base_url = data.base_url
    credential.is_test = data.is_test
    credential.content_type = data.content_type
    credential.extra_headers = data.extra_headers
    credential.auth_type = data.auth_type
    credential.auth_settings = data.auth_settings
    credential.org_specific = data.org_specific


def _save(credential: Credential) -> None:
    try:
        with transaction.atomic():  # a savepoint: the name clash must not break the outer transaction
            credential.save()
    except IntegrityError:
        raise NameTaken() from None


def _user(actor: Any) -> Any:
    """The person a change is attributed to on the credential: the signed-in user, or an access key's owner."""
    return actor if hasattr(actor, "get_username") else getattr(actor, "owner", None)


def _record(action: str, credential: Credential, *, actor: Any, request: HttpRequest | None, **details: Any) -> None:
    audit.record(
        action, organization=credential.organization, actor=actor, target=credential, request=request, **details
    )


def do_create_credential(
    organization: Organization, data: CredentialInput, *, actor: Any, request: HttpRequest | None = None
) -> Credential:
    """Create a credential (and its organization rows); raises NameTaken."""
    user = _user(actor)
    credential = Credential(organization=organization, connector=data.connector, created_by=user, updated_by=user)
    _apply(credential, data)
    credential.secrets = _own_secrets(None, data)
    with transaction.atomic():
        _save(credential)
        _replace_organization_rows(credential, data, {})
        _record(
            "credential.created",
            credential,
            actor=actor,
            request=request,
            changed=[],
            connector=credential.connector,
            auth_type=credential.auth_type,
        )
        _emit(credential, "credential.created", actor=actor)
    return credential


def _emit(credential: Credential, event_type: str, *, actor: Any, **data: Any) -> None:
    """The credential's webhook event, in the transaction of its change (no secret: names and IDs only)."""
    emit(credential.organization, event_type, {"credential": credential_data(credential), **data}, actor=actor)


def do_edit_credential(
    credential: Credential, data: CredentialInput, *, actor: Any, request: HttpRequest | None = None
) -> Credential:
    """Save an edited credential; raises NameTaken or StoredSecretUnreadable (nothing is then saved).

    When the Base URL's or the AWS4 endpoint's origin changes, the audit event records both origins.
    """
    before = _origins(credential)
    previous_rows: dict[str, OrganizationCredential] = {}
    if data.keep_stored_secrets and credential.org_specific:
        previous_rows = {
            row.organization.slug: row for row in credential.organization_credentials.select_related("organization")
        }
    secrets = _own_secrets(credential, data)
    snapshot = {f.attname: getattr(credential, f.attname) for f in Credential._meta.concrete_fields}
    try:
        with transaction.atomic():
            _apply(credential, data)
            credential.secrets = secrets
            credential.updated_by = _user(actor)
            _save(credential)
            _replace_organization_rows(credential, data, previous_rows)
            after = _origins(credential)
            moved = {name: {"old": before[name], "new": after[name]} for name in before if before[name] != after[name]}
            _record(
                "credential.edited",
                credential,
                actor=actor,
                request=request,
                changed=data.changed,
                connector=credential.connector,
                auth_type=credential.auth_type,
                **({"origin_changed": moved} if moved else {}),
            )
            _emit(credential, "credential.updated", actor=actor, changed=data.changed)
    except BaseException:
        # The database rolled back: the object in hand goes back to what is stored, too.
        for name, value in snapshot.items():
            setattr(credential, name, value)
        raise
    return credential


def do_edit_credential_details(
    credential: Credential, changed: list[str], *, actor: Any, request: HttpRequest | None = None, via: str = ""
) -> Credential:
    """Save a credential whose details (not its secrets, type or origin) were changed, as in the admin."""
    credential.updated_by = _user(actor)
    with transaction.atomic():
        credential.save()
        if changed:
            _record(
                "credential.edited",
                credential,
                actor=actor,
                request=request,
                changed=changed,
                **({"via": via} if via else {}),
            )
            _emit(credential, "credential.updated", actor=actor, changed=changed)
    return credential


def do_rename_credential(
    credential: Credential, name: str, *, actor: Any, request: HttpRequest | None = None
) -> Credential:
    """Rename a credential; raises NameTaken."""
    old_name = credential.name
    old_updated_by = credential.updated_by_id
    credential.name = name
    credential.updated_by = _user(actor)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    credential.save(update_fields=["name", "updated_by", "updated_at"])
            except IntegrityError:
                raise NameTaken() from None
            _record("credential.renamed", credential, actor=actor, request=request, old_name=old_name)
            _emit(credential, "credential.updated", actor=actor, changed=["name"])
    except BaseException:
        credential.name, credential.updated_by_id = old_name, old_updated_by
        raise
    return credential


def do_delete_credential(credential: Credential, *, actor: Any, request: HttpRequest | None = None) -> list[str]:
    """Delete a credential and revoke the connections that used it; returns their names."""
    with transaction.atomic():
        names = revoke_connections_for_credential(credential)
        _record("credential.deleted", credential, actor=actor, request=request, revoked_connections=names)
        _emit(credential, "credential.deleted", actor=actor, revoked_connections=names)
        credential.delete()
    return names


def do_test_credential(
    credential: Credential, organization_slug: str = "", *, actor: Any, request: HttpRequest | None = None
) -> list[tuple[Organization | None, outbound.TestResult]]:
    """Test connection (every organization row, or the one named) and record it.

    The last-used time the test writes and its audit event are one unit. Nothing is written before a
    response arrives, so the transaction holds no write lock while the request is on its way.
    """
    with transaction.atomic():
        results = outbound.test_connection(credential, organization_slug)
        _record(
            "credential.tested",
            credential,
            actor=actor,
            request=request,
            outcomes=[{"organization": r.organization, "outcome": r.outcome} for _, r in results],
        )
        failed = [{"organization": r.organization, "outcome": r.outcome} for _, r in results if not r.ok]
        if failed:
            _emit(credential, "credential.test_failed", actor=actor, outcome=failed[0]["outcome"], failures=failed)
    return results
