"""Data migrations: what they do to rows that existed before them."""

from __future__ import annotations

import importlib

from django.apps import apps

from credentials.models import AccessKey
from tests.factories import make_system_key

role_choices = importlib.import_module("credentials.migrations.0002_access_key_role_choices")


def test_an_access_key_with_a_role_that_is_not_a_role_acts_as_the_member_it_acted_as(organization) -> None:
    stray, _ = make_system_key(organization, "Typed in the admin")
    admin_key, _ = make_system_key(organization, "Admin", role="admin")
    AccessKey.objects.filter(pk=stray.pk).update(role="superadmin")
    role_choices.unknown_roles_to_member(apps, None)
    assert AccessKey.objects.get(pk=stray.pk).role == "member"
    assert AccessKey.objects.get(pk=admin_key.pk).role == "admin"
