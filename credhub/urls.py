from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from credentials import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include((api.urlpatterns(), "api_v1"), namespace="api_v1")),
    path("", include("credentials.urls")),
]
