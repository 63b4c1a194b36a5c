"""Users: Django's own admin, without even the masked fragment of the password hash."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashField, ReadOnlyPasswordHashWidget, UserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User


class PasswordStatusWidget(ReadOnlyPasswordHashWidget):
    """Says whether a password is set and links to the reset form; shows no part of the hash."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        usable = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        context["summary"] = [{"label": "Password set." if usable else "No password set."}]
        return context


class CredhubUserChangeForm(UserChangeForm):
    password = ReadOnlyPasswordHashField(label="Password", widget=PasswordStatusWidget)


admin.site.unregister(User)


@admin.register(User)
class CredhubUserAdmin(UserAdmin):
    form = CredhubUserChangeForm
