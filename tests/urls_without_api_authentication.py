"""credhub's URLs without the API authentication page: the settings entry's fallback when it does not exist."""

from __future__ import annotations

from django.urls import include, path

from credentials import urls as credentials_urls

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include([p for p in credentials_urls.urlpatterns if getattr(p, "name", "") != "api_authentication"])),
]
