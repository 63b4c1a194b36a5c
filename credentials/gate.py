"""The organization gate: the one road from a URL to an organization and its querysets.

Every settings view is wrapped in :func:`organization_admin`. It resolves the organization from the
``org`` URL segment, sends anonymous users to sign in, answers 404 to a user who is not a member
(the organization's existence is not disclosed), 403 to a member who is not an Organization Admin,
and 404 where the view needs a feature the organization does not have. The view receives the
organization; objects are then looked up only through the ``*_for`` helpers below, so an object of
another organization is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from credentials.models import (
    AccessKey,
    APIKey,
    AuditEvent,
    Connection,
    Credential,
    Membership,
    Organization,
    UsageRecord,
    WebhookDelivery,
    WebhookEndpoint,
)

API_CREDENTIALS = "api_credentials"


def organization_admin(feature: str | None = None) -> Callable:
    """Decorate a view ``view(request, organization, ...)`` reached by ``/o/<org>/...``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def gated(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = (
                Membership.objects.select_related("organization")
                .filter(user=request.user, organization__slug=org)
                .first()
            )
            if membership is None:
                raise Http404("No such organization.")
            if not membership.is_admin:
                raise PermissionDenied("Only Organization Admins can open this page.")
            organization = membership.organization
            if feature == API_CREDENTIALS and not organization.api_credentials_enabled:
                raise Http404("API credentials management is not turned on for this organization.")
            request.organization = organization
            request.membership = membership
            return view(request, organization, *args, **kwargs)

        return gated

    return decorator


def credentials_for(organization: Organization):
    return Credential.objects.filter(organization=organization)


def credential_for(organization: Organization, credential_id: Any) -> Credential:
    return get_object_or_404(credentials_for(organization), pk=credential_id)


# The credential proxy's lookup, made on every proxied call. Through the ORM (or ``raw()``), building
# the query and its converters took three times as long as running it; here the SQL is written once,
# and each column's converters (the ORM's own: the backend's and the field's) are found once per
# database vendor. Only model names go into the text.
_CREDENTIAL_FIELDS = Credential._meta.concrete_fields
_CREDENTIAL_BY_ID = (
    f"SELECT {', '.join(field.column for field in _CREDENTIAL_FIELDS)} "  # noqa: S608 - names from the model
    f"FROM {Credential._meta.db_table} "
    f"WHERE {Credential._meta.get_field('organization').column} = %s AND {Credential._meta.pk.column} = %s"
)
_CREDENTIAL_ATTNAMES = [field.attname for field in _CREDENTIAL_FIELDS]
_credential_converters: dict[str, list[tuple[int, Any, list[Callable]]]] = {}


def _converters(connection: Any) -> list[tuple[int, Any, list[Callable]]]:
    """Each column's position, expression and converters, as the ORM applies them to a fetched row."""
    if (converters := _credential_converters.get(connection.vendor)) is None:
        converters = []
        for index, field in enumerate(_CREDENTIAL_FIELDS):
            column = field.get_col(Credential._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((index, column, found))
        _credential_converters[connection.vendor] = converters
    return converters


def credential_by_id(organization_id: int, credential_id: UUID) -> Credential | None:
    """The organization's credential with this ID, or None (as ``credential_for``, in one SELECT)."""
    alias = router.db_for_read(Credential)
    connection = connections[alias]
    pk = Credential._meta.pk.get_db_prep_value(credential_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(_CREDENTIAL_BY_ID, [organization_id, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, converters in _converters(connection):
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    return Credential.from_db(alias, _CREDENTIAL_ATTNAMES, values)


def connections_for(organization: Organization):
    return Connection.objects.filter(organization=organization)


def connection_for(organization: Organization, connection_id: Any) -> Connection:
    return get_object_or_404(connections_for(organization), pk=connection_id)


def access_keys_for(organization: Organization):
    return AccessKey.objects.filter(organization=organization)


def access_key_for(organization: Organization, access_key_id: Any) -> AccessKey:
    return get_object_or_404(access_keys_for(organization), pk=access_key_id)


def api_keys_for(organization: Organization):
    return APIKey.objects.filter(organization=organization)


def api_key_for(organization: Organization, api_key_id: Any) -> APIKey:
    return get_object_or_404(api_keys_for(organization), pk=api_key_id)


def credential_exists_elsewhere(organization: Organization, credential_id: Any) -> bool:
    """Whether the ID names another organization's credential: the JSON API answers 403 there, not 404.

    The only unscoped question the gate answers, and it returns a yes/no, never the object.
    """
    return Credential.objects.filter(pk=credential_id).exclude(organization=organization).exists()


def audit_events_for(organization: Organization):
    return AuditEvent.objects.filter(organization=organization)


def webhook_endpoints_for(organization: Organization):
    return WebhookEndpoint.objects.filter(organization=organization).defer("signing_secret", "previous_secret")


def webhook_endpoint_for(organization: Organization, endpoint_id: Any):
    return get_object_or_404(webhook_endpoints_for(organization), pk=endpoint_id)


def webhook_delivery_for(organization: Organization, endpoint_id: Any, delivery_id: Any):
    return get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint").filter(
            endpoint__organization=organization, endpoint_id=endpoint_id
        ),
        pk=delivery_id,
    )


def usage_records_for(organization: Organization, credential: Credential | None = None):
    """The organization's usage records (of ``credential``, found through the gate, if given)."""
    records = UsageRecord.objects.filter(organization=organization)
    return records.filter(credential=credential) if credential is not None else records
