"""Legacy API keys: generate, regenerate, rename (from the admin) and delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from credentials import audit, keys
from credentials.actions import check_organization, set_active
from credentials.models import APIKey, Organization
from credentials.webhooks.events import api_key_data, emit


@sensitive_variables("key")
def do_generate_api_key(
    organization: Organization, name: str, *, actor: Any, request: HttpRequest | None = None
) -> tuple[APIKey, str]:
    """Generate an API key created by ``actor`` (a user); returns it and the key, shown once.
    Audits ``api_key.created``."""
    with transaction.atomic():
        # The creator is kept only for a signed-in user; commands and the demo act as the operator.
        created_by = actor if hasattr(actor, "get_username") else None
        api_key, key = keys.create_api_key(organization, name, created_by=created_by)
        audit.record(
            "api_key.created",
            organization=organization,
            actor=actor,
            target=api_key,
            request=request,
            prefix=api_key.prefix,
        )
        emit(organization, "api_key.created", {"api_key": api_key_data(api_key)}, actor=actor)
    return api_key, key


@sensitive_variables("key")
def do_regenerate_api_key(
    organization: Organization, api_key: APIKey, *, actor: Any, request: HttpRequest | None = None
) -> str:
    """Give an API key a new value (the old one stops working); returns it, shown once.
    Audits ``api_key.regenerated`` with the old and new prefixes."""
    check_organization(organization, api_key)
    with transaction.atomic():
        old_prefix = api_key.prefix
        key = keys.regenerate_api_key(api_key)
        audit.record(
            "api_key.regenerated",
            organization=organization,
            actor=actor,
            target=api_key,
            request=request,
            old_prefix=old_prefix,
            prefix=api_key.prefix,
        )
    return key


def do_rename_api_key(
    organization: Organization,
    api_key: APIKey,
    name: str,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> None:
    """Rename an API key; audits ``api_key.renamed`` with the old name."""
    check_organization(organization, api_key)
    with transaction.atomic():
        old_name = APIKey.objects.filter(pk=api_key.pk).values_list("name", flat=True).first()
        api_key.name = name
        api_key.save(update_fields=["name"])
        audit.record(
            "api_key.renamed",
            organization=organization,
            actor=actor,
            target=api_key,
            request=request,
            prefix=api_key.prefix,
            old_name=old_name,
            via=via,
        )


def do_delete_api_key(
    organization: Organization, api_key: APIKey, *, actor: Any, request: HttpRequest | None = None, via: str = ""
) -> None:
    """Delete an API key; it stops working at once. Audits ``api_key.deleted``."""
    check_organization(organization, api_key)
    with transaction.atomic():
        audit.record(
            "api_key.deleted",
            organization=organization,
            actor=actor,
            target=api_key,
            request=request,
            prefix=api_key.prefix,
            via=via,
        )
        emit(organization, "api_key.deleted", {"api_key": api_key_data(api_key)}, actor=actor)
        api_key.delete()


def do_deactivate_api_key(
    organization: Organization, api_key: APIKey, *, actor: Any, request: HttpRequest | None = None, via: str = ""
) -> bool:
    """Make an API key refuse every request until it is reactivated; returns False (and records
    nothing) if it was already inactive. Audits ``api_key.deactivated``."""
    check_organization(organization, api_key)
    return set_active(
        api_key,
        False,
        lambda locked, _since: audit.record(
            "api_key.deactivated", organization=organization, actor=actor, target=locked, request=request, via=via
        ),
    )


def do_reactivate_api_key(
    organization: Organization, api_key: APIKey, *, actor: Any, request: HttpRequest | None = None, via: str = ""
) -> bool:
    """Let an inactive API key authenticate again (if the organization's policy lets API keys work);
    returns False (and records nothing) if it was active. Audits ``api_key.reactivated``."""
    check_organization(organization, api_key)
    return set_active(
        api_key,
        True,
        lambda locked, _since: audit.record(
            "api_key.reactivated", organization=organization, actor=actor, target=locked, request=request, via=via
        ),
    )
