from __future__ import annotations

from django.urls import path

from credentials.views import audit, connections, credentials, pages, settings, test_connection

credentials_base = "o/<slug:org>/settings/integrations/credentials/"

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("o/<slug:org>/settings/", settings.settings_home, name="settings"),
    path("o/<slug:org>/settings/audit-log/", audit.audit_log, name="audit_log"),
    path(credentials_base, credentials.credential_list, name="credential_list"),
    path(f"{credentials_base}new/", credentials.credential_create, name="credential_create"),
    path(f"{credentials_base}<uuid:credential_id>/", credentials.credential_tile, name="credential_tile"),
    path(f"{credentials_base}<uuid:credential_id>/edit/", credentials.credential_edit, name="credential_edit"),
    path(f"{credentials_base}<uuid:credential_id>/rename/", credentials.credential_rename, name="credential_rename"),
    path(f"{credentials_base}<uuid:credential_id>/delete/", credentials.credential_delete, name="credential_delete"),
    path(f"{credentials_base}<uuid:credential_id>/test/", test_connection.credential_test, name="credential_test"),
    path("o/<slug:org>/connections/", connections.connection_list, name="connection_list"),
    path("o/<slug:org>/connections/new/", connections.connection_new, name="connection_new"),
    path(
        "o/<slug:org>/connections/new/<str:kind>/<str:connector>/",
        connections.connection_create,
        name="connection_create",
    ),
    path(
        "o/<slug:org>/connections/<uuid:connection_id>/reauthenticate/",
        connections.connection_reauthenticate,
        name="connection_reauthenticate",
    ),
]
