"""Which stored credentials an access key may use through the credential proxy: the rules that every road
(Create access key, More options › Permissions, the JSON API, the admin, ``create_system_key``) checks before
``credentials.actions.access_keys.do_set_credential_permissions`` stores a choice, and how a choice is worded.

A key may be permitted only its own organization's credentials: an ID of another organization's credential
is refused exactly like an ID that names nothing, so the answer never tells that it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count

from credentials import gate
from credentials.models import AccessKey, Credential, Organization

Access = AccessKey.CredentialAccess

NOT_A_CHOICE = "Choose “Use no credentials”, “Use all credentials” or “Use selected credentials”."
NONE_SELECTED = "Select at least one credential, or choose “Use no credentials”."
UNKNOWN = "Choose credentials of this organization: {ids} is not one of them."


def resolve(organization: Organization, access: str, credential_ids: Iterable[Any]) -> list[Credential]:
    """The credentials a choice permits (empty unless ``access`` is "selected"), each of ``organization``.

    Raises ``ValidationError`` with the message to show next to the field: an unknown access, nothing
    selected for "selected", or an ID that is not one of the organization's credentials.
    """
    if access not in Access.values:
        raise ValidationError(NOT_A_CHOICE, code="invalid_choice")
    if access != Access.SELECTED:
        return []
    wanted = {str(value) for value in credential_ids}
    if not wanted:
        raise ValidationError(NONE_SELECTED, code="required")
    found = {str(credential.pk): credential for credential in _candidates(organization, wanted)}
    if unknown := sorted(wanted - set(found)):
        raise ValidationError(UNKNOWN.format(ids=", ".join(unknown[:3])), code="invalid_choice")
    return sorted(found.values(), key=lambda credential: (credential.name.lower(), str(credential.pk)))


def _candidates(organization: Organization, ids: set[str]) -> list[Credential]:
    valid = []
    for value in ids:
        try:
            valid.append(Credential._meta.pk.to_python(value))
        except ValidationError:
            continue  # not a UUID at all: reported as unknown with the rest
    return list(gate.credentials_for(organization).filter(pk__in=valid).only("pk", "name", "organization_id"))


def choices(organization: Organization) -> list[tuple[str, str]]:
    """The organization's credentials as (ID, name) for a checklist, by name."""
    return [
        (str(pk), name)
        for pk, name in gate.credentials_for(organization).order_by("name", "pk").values_list("pk", "name")
    ]


def attach_counts(access_keys: Iterable[AccessKey]) -> None:
    """Set ``permitted_count`` on each key with selected credentials, in one query for all of them."""
    selected = [key for key in access_keys if key.credential_access == Access.SELECTED]
    if not selected:
        return
    counts = dict(
        AccessKey.permitted_credentials.through.objects.filter(accesskey_id__in=[key.pk for key in selected])
        .values("accesskey_id")
        .annotate(count=Count("pk"))
        .values_list("accesskey_id", "count")
    )
    for key in selected:
        key.permitted_count = counts.get(key.pk, 0)


def summary(access_key: AccessKey) -> str:
    """The key's permission in a few words, as its row shows it: "Uses 2 credentials"."""
    if access_key.credential_access == Access.ALL:
        return "Uses all credentials"
    if access_key.credential_access != Access.SELECTED:
        return "Uses no credentials"
    count = getattr(access_key, "permitted_count", None)
    if count is None:
        count = access_key.permitted_credentials.count()
    if count == 0:  # every selected credential was deleted since
        return "Uses no credentials (its selected credentials were deleted)"
    return f"Uses {count} credential{'s' if count != 1 else ''}"


def description(access_key: AccessKey) -> dict[str, Any]:
    """What the audit log and the webhook event say of a key's permission: the choice and the credentials."""
    credentials = (
        list(access_key.permitted_credentials.order_by("name", "pk").values("id", "name"))
        if access_key.credential_access == Access.SELECTED
        else []
    )
    return {
        "credential_access": access_key.credential_access,
        "permitted_credentials": [{"id": str(row["id"]), "name": row["name"]} for row in credentials],
    }
