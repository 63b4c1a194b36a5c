from __future__ import annotations

from django.urls import path

from credentials.views import api_authentication as api_auth
from credentials.views import (
    audit,
    connections,
    credential_test,
    credentials,
    key_lifecycle,
    key_permissions,
    pages,
    settings,
    usage,
    webhooks,
)

credentials_base = "o/<slug:org>/settings/integrations/credentials/"
api_auth_base = "o/<slug:org>/settings/api-authentication/"
webhooks_base = "o/<slug:org>/settings/integrations/webhooks/"

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("o/<slug:org>/settings/", settings.settings_home, name="settings"),
    path("o/<slug:org>/settings/audit-log/", audit.audit_log, name="audit_log"),
    path(credentials_base, credentials.credential_list, name="credential_list"),
    path(f"{credentials_base}new/", credentials.credential_create, name="credential_create"),
    path(f"{credentials_base}<uuid:credential_id>/", credentials.credential_tile, name="credential_tile"),
    path(f"{credentials_base}<uuid:credential_id>/edit/", credentials.credential_edit, name="credential_edit"),
    path(f"{credentials_base}<uuid:credential_id>/rename/", credentials.credential_rename, name="credential_rename"),
    path(f"{credentials_base}<uuid:credential_id>/delete/", credentials.credential_delete, name="credential_delete"),
    path(f"{credentials_base}<uuid:credential_id>/test/", credential_test.credential_test, name="credential_test"),
    path(f"{credentials_base}<uuid:credential_id>/usage/", usage.credential_usage, name="credential_usage"),
    path("o/<slug:org>/connections/", connections.connection_list, name="connection_list"),
    path("o/<slug:org>/connections/new/", connections.connection_new, name="connection_new"),
    path(
        "o/<slug:org>/connections/new/<str:kind>/<str:connector>/",
        connections.connection_create,
        name="connection_create",
    ),
    path("o/<slug:org>/connections/<uuid:connection_id>/", connections.connection_detail, name="connection_detail"),
    path(
        "o/<slug:org>/connections/<uuid:connection_id>/rename/",
        connections.connection_rename,
        name="connection_rename",
    ),
    path(
        "o/<slug:org>/connections/<uuid:connection_id>/delete/",
        connections.connection_delete,
        name="connection_delete",
    ),
    path(
        "o/<slug:org>/connections/<uuid:connection_id>/reauthenticate/",
        connections.connection_reauthenticate,
        name="connection_reauthenticate",
    ),
    path(api_auth_base, api_auth.api_authentication, name="api_authentication"),
    path(f"{api_auth_base}debug-key/show/", api_auth.debug_key_show, name="debug_key_show"),
    path(f"{api_auth_base}debug-key/regenerate/", api_auth.debug_key_regenerate, name="debug_key_regenerate"),
    path(f"{api_auth_base}access-keys/new/", api_auth.access_key_create, name="access_key_create"),
    path(f"{api_auth_base}access-keys/<uuid:access_key_id>/", api_auth.access_key_row, name="access_key_row"),
    path(
        f"{api_auth_base}access-keys/<uuid:access_key_id>/rename/", api_auth.access_key_rename, name="access_key_rename"
    ),
    path(
        f"{api_auth_base}access-keys/<uuid:access_key_id>/delete/", api_auth.access_key_delete, name="access_key_delete"
    ),
    path(
        f"{api_auth_base}access-keys/<uuid:access_key_id>/deactivate/",
        key_lifecycle.access_key_deactivate,
        name="access_key_deactivate",
    ),
    path(
        f"{api_auth_base}access-keys/<uuid:access_key_id>/reactivate/",
        key_lifecycle.access_key_reactivate,
        name="access_key_reactivate",
    ),
    path(
        f"{api_auth_base}access-keys/<uuid:access_key_id>/roll/", key_lifecycle.access_key_roll, name="access_key_roll"
    ),
    path(
        f"{api_auth_base}access-keys/<uuid:access_key_id>/addresses/",
        key_lifecycle.access_key_addresses,
        name="access_key_addresses",
    ),
    path(
        f"{api_auth_base}access-keys/<uuid:access_key_id>/permissions/",
        key_permissions.access_key_permissions,
        name="access_key_permissions",
    ),
    path(f"{api_auth_base}expiry/", api_auth.expiry_settings, name="expiry_settings"),
    path(f"{api_auth_base}api-keys/new/", api_auth.api_key_create, name="api_key_create"),
    path(
        f"{api_auth_base}api-keys/<uuid:api_key_id>/regenerate/",
        api_auth.api_key_regenerate,
        name="api_key_regenerate",
    ),
    path(f"{api_auth_base}api-keys/<uuid:api_key_id>/delete/", api_auth.api_key_delete, name="api_key_delete"),
    path(webhooks_base, webhooks.webhook_list, name="webhook_list"),
    path(f"{webhooks_base}new/", webhooks.webhook_create, name="webhook_create"),
    path(f"{webhooks_base}<uuid:endpoint_id>/edit/", webhooks.webhook_edit, name="webhook_edit"),
    path(f"{webhooks_base}<uuid:endpoint_id>/test/", webhooks.webhook_test, name="webhook_test"),
    path(f"{webhooks_base}<uuid:endpoint_id>/toggle/", webhooks.webhook_toggle, name="webhook_toggle"),
    path(f"{webhooks_base}<uuid:endpoint_id>/roll/", webhooks.webhook_roll, name="webhook_roll"),
    path(f"{webhooks_base}<uuid:endpoint_id>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path(f"{webhooks_base}<uuid:endpoint_id>/deliveries/", webhooks.delivery_log, name="webhook_deliveries"),
    path(
        f"{webhooks_base}<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/",
        webhooks.delivery_detail,
        name="webhook_delivery",
    ),
    path(
        f"{webhooks_base}<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/resend/",
        webhooks.delivery_resend,
        name="webhook_delivery_resend",
    ),
    path(
        f"{api_auth_base}api-keys/<uuid:api_key_id>/deactivate/",
        key_lifecycle.api_key_deactivate,
        name="api_key_deactivate",
    ),
    path(
        f"{api_auth_base}api-keys/<uuid:api_key_id>/reactivate/",
        key_lifecycle.api_key_reactivate,
        name="api_key_reactivate",
    ),
]
