"""The encrypted field: secrets round-trip, keys rotate without loss, a wrong key fails closed."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.utils.datastructures import MultiValueDict

from credentials import encryption
from credentials.encryption import DecryptionError, Sealed
from credentials.forms.credentials import STORED_SECRET_UNREADABLE, CredentialForm
from credentials.models import Credential, OrganizationCredential
from credentials.views.credentials import save_credential
from tests.clients import api

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SECRETS = {"username": "round-trip-user", "password": "round-trip-pässword ✓"}


def _raw_secrets(credential: Credential) -> str:
    """The column as the database holds it, past the ORM (the name is unique in the test organization)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secrets FROM {Credential._meta.db_table} WHERE name = %s", [credential.name])
        return cursor.fetchone()[0]


def _credential(organization, name: str = "Billing API", secrets: dict | None = None) -> Credential:
    return Credential.objects.create(
        organization=organization,
        name=name,
        base_url="https://billing.example.com",
        auth_type="basic",
        secrets=secrets if secrets is not None else dict(SECRETS),
    )


def test_round_trip(organization) -> None:
    credential = _credential(organization)
    loaded = Credential.objects.get(pk=credential.pk)
    assert isinstance(loaded.secrets, Sealed)
    assert loaded.secrets.reveal() == SECRETS
    raw = _raw_secrets(credential)
    assert "round-trip" not in raw and raw == loaded.secrets.token
    assert encryption.decrypt(raw)  # a real Fernet token under the configured key


def test_saving_without_touching_the_secret_writes_back_the_same_token(organization) -> None:
    credential = _credential(organization)
    token = _raw_secrets(credential)
    loaded = Credential.objects.get(pk=credential.pk)
    loaded.description = "changed"
    loaded.save()
    assert _raw_secrets(credential) == token


def test_sealed_value_never_prints_the_secret(organization) -> None:
    loaded = Credential.objects.get(pk=_credential(organization).pk)
    assert "round-trip" not in repr(loaded.secrets) and "round-trip" not in str(loaded.secrets)
    assert loaded.secrets.token not in str(loaded.secrets)


def test_rotation_new_key_first_old_key_still_decrypts(organization) -> None:
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[OLD_KEY]):
        credential = _credential(organization)
        old_token = _raw_secrets(credential)
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        # Tokens under the old key still open once a new primary key is put in front.
        assert Credential.objects.get(pk=credential.pk).secrets.reveal() == SECRETS
        rotated = encryption.rotate(old_token)
        assert rotated != old_token
        # New writes use the new (first) key: the new key alone opens them.
        fresh = _credential(organization, name="Fresh", secrets={"username": "u", "password": "p"})
        fresh_token = _raw_secrets(fresh)
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY]):
        assert encryption.decrypt(rotated)
        assert Credential.objects.get(pk=fresh.pk).secrets.reveal() == {"username": "u", "password": "p"}
        with pytest.raises(DecryptionError):
            encryption.decrypt(old_token)
    assert fresh_token


def test_wrong_key_raises_and_never_returns_ciphertext(organization) -> None:
    credential = _credential(organization)
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        loaded = Credential.objects.get(pk=credential.pk)
        with pytest.raises(DecryptionError):
            loaded.secrets.reveal()
        with pytest.raises(DecryptionError):
            encryption.rotate(loaded.secrets.token)
    # With the right key back, nothing was lost.
    assert Credential.objects.get(pk=credential.pk).secrets.reveal() == SECRETS


def test_garbage_token_raises(organization) -> None:
    with pytest.raises(DecryptionError):
        Sealed("not-a-token").reveal()


def test_no_lookups_but_isnull(organization) -> None:
    credential = _credential(organization)
    Credential.objects.create(organization=organization, name="Open", auth_type="none", secrets=None)
    assert list(Credential.objects.filter(secrets__isnull=False)) == [credential]
    assert Credential.objects.filter(secrets__isnull=True).count() == 1
    for lookup in ("exact", "icontains", "startswith", "in"):
        with pytest.raises(NotImplementedError):
            Credential.objects.filter(**{f"secrets__{lookup}": "round-trip-user"}).count()
    with pytest.raises(NotImplementedError):
        OrganizationCredential.objects.filter(secrets="x").count()


def test_failed_validation_leaves_no_state_that_turns_reads_into_ciphertext(organization) -> None:
    """django-fernet-encrypted-fields sets a flag on the shared field when clean() fails, after which every
    read in the process returns ciphertext. Here a failed model and form validation change nothing."""
    credential = _credential(organization)
    broken = Credential.objects.get(pk=credential.pk)
    broken.name = "x" * 500
    broken.base_url = "not a url"
    with pytest.raises(ValidationError):
        broken.full_clean()
    form = CredentialForm(
        organization,
        _form_data(name="", base_url="ftp://nope", auth_username="", auth_password=""),
        instance=Credential.objects.get(pk=credential.pk),
    )
    assert not form.is_valid()
    assert save_credential(form, actor=None, request=None) is None

    for _ in range(2):  # later reads, in the same process, still decrypt to the plain value
        loaded = Credential.objects.get(pk=credential.pk)
        assert isinstance(loaded.secrets, Sealed)
        assert loaded.secrets.reveal() == SECRETS
    other = _credential(organization, name="Another", secrets={"username": "a", "password": "b"})
    assert Credential.objects.get(pk=other.pk).secrets.reveal() == {"username": "a", "password": "b"}


def _form_data(**values: str) -> MultiValueDict:
    data = MultiValueDict(
        {"content_type": ["application/json"], "auth_type": ["basic"], "base_url": ["https://x.example.com"]}
    )
    for key, value in values.items():
        data[key] = value
    return data


# A secret that cannot be decrypted, through the API ----------------------------------------------


def test_an_undecryptable_credential_fails_closed_through_the_api(admin_key, basic_credential, settings) -> None:
    settings.CREDHUB_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = Credential.objects.get(pk=basic_credential.pk).secrets.token
    path = f"credentials/{basic_credential.pk}"
    read = api("get", path, admin_key)
    assert read.status_code == 200 and token not in read.content.decode()
    # Keeping the stored password needs it decrypted: refused, field by field, and nothing is re-encrypted.
    edit = api("patch", path, admin_key, {"description": "New", "auth": {"username": "billing-user"}})
    assert edit.status_code == 400
    assert edit.json()["errors"]["auth.password"] == [STORED_SECRET_UNREADABLE]
    tested = api("post", f"{path}/test", admin_key)
    assert tested.status_code == 200
    assert tested.json()["results"][0]["outcome"] == "unreadable"
    for response in (read, edit, tested):
        assert token not in response.content.decode()
    assert Credential.objects.get(pk=basic_credential.pk).secrets.token == token
    assert Credential.objects.get(pk=basic_credential.pk).description == "Invoices"
