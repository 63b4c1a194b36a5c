from __future__ import annotations

from credentials.models.access_keys import AccessKey, APIKey
from credentials.models.audit import AuditEvent
from credentials.models.connections import Connection
from credentials.models.credentials import Credential, OrganizationCredential
from credentials.models.organizations import Membership, Organization
from credentials.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessKey",
    "APIKey",
    "AuditEvent",
    "Connection",
    "Credential",
    "Membership",
    "Organization",
    "OrganizationCredential",
    "WebhookDelivery",
    "WebhookEndpoint",
]
