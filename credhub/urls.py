from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from credentials import api
from credentials.views.pages import demo_echo

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include((api.urlpatterns(), "api_v1"), namespace="api_v1")),
    path("", include("credentials.urls")),
    # The demo's local upstream (`make run`), not a screen: it answers 404 unless DEBUG is on.
    path("demo/echo/", demo_echo, name="demo_echo"),
    path("demo/echo/<path:rest>", demo_echo),
]
