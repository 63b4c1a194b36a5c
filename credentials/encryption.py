"""Secrets at rest: Fernet tokens under the keys in ``settings.CREDHUB_ENCRYPTION_KEYS``.

The first key encrypts; every key decrypts, so a new key can be put in front and old tokens
re-encrypted at leisure (``manage.py rotate_encryption_key``). A token that no key opens is an
error: it is never shown, returned as ciphertext, or encrypted a second time.

A loaded encrypted column is a :class:`Sealed` value that holds the token and decrypts only when
:meth:`Sealed.reveal` is called, so listing credentials never decrypts anything and a model saved
without touching its secrets writes back the very same token.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key."""


@lru_cache(maxsize=1)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("CREDHUB_ENCRYPTION_KEYS holds no key.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "Each CREDHUB_ENCRYPTION_KEYS entry must be a url-safe base64 Fernet key "
            "(make one with `manage.py generate_encryption_key`)."
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.CREDHUB_ENCRYPTION_KEYS))


@lru_cache(maxsize=1)
def _primary_fernet(primary_key: str) -> Fernet:
    return Fernet(primary_key.encode())


def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting == "CREDHUB_ENCRYPTION_KEYS":
        _fernet.cache_clear()
        _primary_fernet.cache_clear()


setting_changed.connect(_forget_keys)


def encrypt(plaintext: str) -> str:
    """Encrypt text under the primary key; returns the Fernet token as text."""
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a token with any configured key, or raise :class:`DecryptionError`."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError, ValueError) as error:
        raise DecryptionError("A stored secret could not be decrypted with the configured keys.") from error


def rotate(token: str) -> str:
    """Re-encrypt a token under the primary key, or raise :class:`DecryptionError`."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError("A stored secret could not be decrypted with the configured keys.") from error


def under_primary_key(token: str) -> bool:
    """Whether a token is already encrypted under the primary key (checked by its HMAC, not decrypted)."""
    fernet()  # validates the configured keys first, with the helpful error
    try:
        _primary_fernet(settings.CREDHUB_ENCRYPTION_KEYS[0]).extract_timestamp(token.encode())
    except (InvalidToken, UnicodeError, ValueError):
        return False
    return True


class Sealed:
    """An encrypted value as loaded from the database: opaque until revealed."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def reveal(self) -> Any:
        return json.loads(decrypt(self.token))

    def __repr__(self) -> str:
        return "<Sealed secret>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token.

    Assign plain JSON-able data to store it (encrypted on save); read a :class:`Sealed` back.
    Encrypted columns cannot be filtered on: no lookup but ``isnull`` is offered.
    """

    description = "Encrypted JSON"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(value)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, Sealed):
            return value
        if isinstance(value, str):
            return Sealed(value)
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        return encrypt(json.dumps(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise NotImplementedError(f"Encrypted fields do not support the '{lookup_name}' lookup.")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str | None:
        value = self.value_from_object(obj)
        return self.get_prep_value(value)
