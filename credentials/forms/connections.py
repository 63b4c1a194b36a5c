"""The data source / destination forms: choose the credential (Authenticate), then name the connection.

They only validate: ``credentials/actions/connections.py`` makes the changes."""

from __future__ import annotations

from typing import Any

from django import forms

from credentials import catalog, gate
from credentials.models import Credential, Organization
from credentials.names import clean_name

CHOOSE_CREDENTIAL = "Choose a credential, or add one with the Add Credential tile."


def credential_choices(organization: Organization, connector: catalog.Connector):
    """This organization's credentials of the connector type, without loading a secret."""
    return gate.credentials_for(organization).filter(connector=connector.code).defer("secrets")


class ChooseCredentialForm(forms.Form):
    """The Authenticate screen: one of this organization's credentials of the connector type."""

    credential = forms.ModelChoiceField(
        queryset=Credential.objects.none(),
        empty_label=None,
        error_messages={"required": CHOOSE_CREDENTIAL, "invalid_choice": CHOOSE_CREDENTIAL},
    )

    def __init__(self, organization: Organization, connector: catalog.Connector, *args: Any, **kwargs: Any) -> None:
        self.organization = organization
        self.connector = connector
        super().__init__(*args, **kwargs)
        self.fields["credential"].queryset = credential_choices(organization, connector)

    @property
    def selected_id(self) -> str:
        """The chosen credential's id as text, posted or initial, for checking its radio tile."""
        value = self["credential"].value()
        return str(getattr(value, "pk", value) or "")


class NameConnectionForm(ChooseCredentialForm):
    """The last step: the connection's name (the chosen credential rides along hidden)."""

    name = forms.CharField(label="Name", max_length=100)

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])


class RenameConnectionForm(forms.Form):
    """Rename on a connection's page."""

    name = forms.CharField(
        label="Name", max_length=100, error_messages={"required": "Enter a name for the connection."}
    )

    def clean_name(self) -> str:
        try:
            return clean_name(self.cleaned_data["name"])
        except forms.ValidationError:
            raise forms.ValidationError("Enter a name for the connection.", code="required") from None
