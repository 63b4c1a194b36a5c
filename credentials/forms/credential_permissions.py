"""The "Credential permissions" choice of Create access key and of a key's More options › Permissions.

It only validates (through :mod:`credentials.credential_permissions`, the rules the API, the admin and the
command share); ``credentials.actions.access_keys`` stores the choice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from credentials import credential_permissions
from credentials.models import AccessKey, Credential, Organization

Access = AccessKey.CredentialAccess


class CredentialPermissionsForm(forms.Form):
    credential_access = forms.ChoiceField(
        label="Credential permissions",
        choices=Access.choices,
        widget=forms.RadioSelect,
        # Left out (a form posted by a script, or from before the choice existed): the default.
        required=False,
        error_messages={"invalid_choice": credential_permissions.NOT_A_CHOICE},
    )
    permitted_credentials = forms.MultipleChoiceField(
        label="Credentials this key may use",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose credentials of this organization."},
    )

    def __init__(self, organization: Organization, data: Any = None, access_key: AccessKey | None = None) -> None:
        self.organization = organization
        self.access_key = access_key
        initial: dict[str, Any] = {"credential_access": Access.NONE, "permitted_credentials": []}
        if access_key is not None:
            initial["credential_access"] = access_key.credential_access
            initial["permitted_credentials"] = [
                str(pk) for pk in access_key.permitted_credentials.values_list("pk", flat=True)
            ]
        # Ids unique to the form's place: the create overlay and a key's dialog never share a page's ids.
        suffix = f"permissions_{access_key.pk}" if access_key is not None else "access_key"
        super().__init__(data, initial=initial, auto_id=f"id_{suffix}_%s")
        self.fields["permitted_credentials"].choices = credential_permissions.choices(organization)
        self.credentials: list[Credential] = []

    def clean_credential_access(self) -> str:
        return self.cleaned_data["credential_access"] or Access.NONE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        access = cleaned.get("credential_access")
        if access is None or "permitted_credentials" in self.errors:
            return cleaned
        try:
            self.credentials = credential_permissions.resolve(
                self.organization, access, cleaned.get("permitted_credentials") or []
            )
        except ValidationError as problem:
            self.add_error("permitted_credentials", problem)
        return cleaned

    @property
    def access(self) -> str:
        return self.cleaned_data["credential_access"]

    def selected(self) -> set[str]:
        """The IDs ticked: the posted ones (kept after an error) or the key's own."""
        value = self["permitted_credentials"].value() or []
        return {str(item) for item in value}


def permissions_form_for(
    organization: Organization, data: Any = None, access_key: AccessKey | None = None
) -> CredentialPermissionsForm | None:
    """The choice, where it means something: only an organization with API credentials turned on has
    credentials to use (otherwise a new key keeps the default, "Use no credentials")."""
    if not organization.api_credentials_enabled:
        return None
    return CredentialPermissionsForm(organization, data, access_key=access_key)


def chosen(form: CredentialPermissionsForm | None) -> dict[str, Any]:
    """The validated choice as the create actions take it (nothing: the default)."""
    if form is None:
        return {}
    return {"credential_access": form.access, "permitted_credentials": form.credentials}
