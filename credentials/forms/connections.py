"""The data source / destination forms: choose the credential (Authenticate), then name the connection."""

from __future__ import annotations

from typing import Any

from django import forms

from credentials import audit, catalog, gate
from credentials.models import Connection, Credential, Organization

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
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("This field is required.")
        return name

    def save(self, kind: str, user: Any = None, request: Any = None) -> Connection:
        connection = Connection.objects.create(
            organization=self.organization,
            kind=kind,
            connector=self.connector.code,
            name=self.cleaned_data["name"],
            credential=self.cleaned_data["credential"],
        )
        audit.record(
            "connection.created",
            organization=self.organization,
            actor=user,
            target=connection,
            request=request,
            kind=kind,
            connector=self.connector.code,
            credential=connection.credential.name,
        )
        return connection


def reauthenticate(connection: Connection, credential: Credential, user: Any = None, request: Any = None) -> None:
    """Point a (revoked) connection at another credential of its connector and make it active again."""
    previous = connection.credential.name if connection.credential else ""
    connection.credential = credential
    connection.status = Connection.Status.ACTIVE
    connection.revoked_reason = ""
    connection.save(update_fields=["credential", "status", "revoked_reason", "updated_at"])
    audit.record(
        "connection.reauthenticated",
        organization=connection.organization,
        actor=user,
        target=connection,
        request=request,
        credential=credential.name,
        previous_credential=previous,
    )
