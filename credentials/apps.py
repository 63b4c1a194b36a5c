from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "credhub"

    def ready(self) -> None:
        from credentials import sign_in  # noqa: F401  (connects the lockout audit receiver)
