from __future__ import annotations

from credentials.models.access_keys import AccessKey, APIKey, ExpiryNotice
from credentials.models.audit import AuditEvent
from credentials.models.connections import Connection
from credentials.models.credentials import Credential, OrganizationCredential
from credentials.models.organizations import Membership, Organization
from credentials.models.usage import ProxyCallCount, UsageRecord
from credentials.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessKey",
    "APIKey",
    "AuditEvent",
    "Connection",
    "Credential",
    "ExpiryNotice",
    "Membership",
    "Organization",
    "OrganizationCredential",
    "ProxyCallCount",
    "UsageRecord",
    "WebhookDelivery",
    "WebhookEndpoint",
]
