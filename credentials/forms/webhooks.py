"""The "Add endpoint" / "Edit endpoint" form of the Webhooks tab. It only validates: changes are made by
``credentials.actions.webhooks``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms

from credentials import gate
from credentials.models import Organization, WebhookEndpoint
from credentials.names import clean_name
from credentials.webhooks.events import CATALOG


class WebhookEndpointForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    url = forms.CharField(label="Endpoint URL", max_length=2000)
    events = forms.MultipleChoiceField(
        label="Events",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, code) for code in CATALOG],
        help_text="Leave every event unchecked to receive all of them, including events added later.",
    )
    credential = forms.ModelChoiceField(
        label="Authenticate with a credential",
        required=False,
        queryset=None,
        empty_label="No credential (signature only)",
        help_text="For receivers that require authentication: deliveries then go only to the credential's host.",
    )

    def __init__(self, organization: Organization, data: Any = None, endpoint: WebhookEndpoint | None = None):
        self.organization = organization
        initial = {}
        if endpoint is not None:
            initial = {
                "name": endpoint.name,
                "url": endpoint.url,
                "events": endpoint.events,
                "credential": endpoint.credential_id,
            }
        super().__init__(data, initial=initial, auto_id="id_webhook_%s")
        self.fields["credential"].queryset = gate.credentials_for(organization).defer("secrets")

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if any(ord(c) < 33 or ord(c) == 127 for c in url):
            raise forms.ValidationError("A URL cannot contain spaces or control characters.")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise forms.ValidationError("Enter a valid URL, such as https://example.com/webhooks.") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise forms.ValidationError("Enter an http:// or https:// URL, such as https://example.com/webhooks.")
        return url
