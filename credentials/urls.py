from __future__ import annotations

from django.urls import path

from credentials.views import audit, credentials, pages, settings

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
]
