"""Inline rename from the tile's More options menu."""

from __future__ import annotations

from typing import Any

from django import forms

from credentials import gate
from credentials.forms.credentials.rules import NAME_TAKEN
from credentials.models import Credential
from credentials.names import clean_name


class RenameCredentialForm(forms.Form):
    """Inline rename from the tile's More options menu."""

    name = forms.CharField(label="Credential Name", max_length=100)

    def __init__(self, credential: Credential, data: Any = None) -> None:
        self.credential = credential
        super().__init__(data, initial={"name": credential.name}, auto_id=f"id_rename_{credential.pk}_%s")

    def clean_name(self) -> str:
        name = clean_name(self.cleaned_data["name"])
        taken = (
            gate.credentials_for(self.credential.organization)
            .filter(name__iexact=name)
            .exclude(pk=self.credential.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(NAME_TAKEN)
        return name
