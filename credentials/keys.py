"""Access keys and API keys: how they are made, stored and checked.

Formats (every random part comes from :mod:`secrets`):

- access key ID: ``CHAK`` + 16 upper-case letters/digits (public, shown in lists and logs);
- access key secret: ``chsk_`` + 32 base62 characters (190 bits) + a 6-character base62 CRC32 checksum;
- legacy API key: ``chk_`` + 32 base62 characters (190 bits) + the same checksum.

The prefixes let secret scanners recognise a leaked key; the checksum lets credhub refuse a typo or a
truncated copy without touching the database. A secret is stored only as HMAC-SHA256 under a key
derived from ``SECRET_KEY`` with HKDF (info ``credhub.keys.v1``), never under the encryption keys.
A secret with 190 random bits cannot be guessed, so it needs no slow password hash: verifying costs
one indexed lookup and one constant-time comparison. Rotating ``SECRET_KEY`` therefore invalidates
every access key and API key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
import zlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from credentials import allowed_addresses, expiry
from credentials.key_lookup import Found, KeyLookup, access_key_by_id, api_key_by_hash
from credentials.models import AccessKey, APIKey, Membership, Organization
from credentials.models.organizations import new_debug_session_key

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
KEY_ID_ALPHABET = string.ascii_uppercase + string.digits
ACCESS_KEY_ID_PREFIX = "CHAK"
ACCESS_KEY_SECRET_PREFIX = "chsk_"
API_KEY_PREFIX = "chk_"
KEY_ID_RANDOM_LENGTH = 16
RANDOM_LENGTH = 32  # 32 base62 characters: log2(62) * 32 ≈ 190 bits
CHECKSUM_LENGTH = 6  # 62**6 > 2**32, so any CRC32 fits
API_KEY_DISPLAY_LENGTH = len(API_KEY_PREFIX) + 8
# When the current secret stops working after a roll, as offered on the screen and by `roll_key --grace`.
ROLL_GRACE_PERIODS = {
    "now": ("Now", timedelta(0)),
    "1h": ("In 1 hour", timedelta(hours=1)),
    "24h": ("In 24 hours", timedelta(hours=24)),
    "3d": ("In 3 days", timedelta(days=3)),
    "7d": ("In 7 days", timedelta(days=7)),
}
# `last used` is written at most this often per key, so authenticating does not write on every request.
LAST_USED_INTERVAL = timedelta(minutes=1)

# What a refused caller is told. Unknown key IDs and wrong secrets share one message on purpose:
# the answer must not reveal whether a key ID exists.
MISSING = (
    "No credentials were sent. Send an access key in the X-Client-ID and X-Client-Secret headers, "
    "or an API key in the x-api-key header."
)
INCOMPLETE = "Send both the X-Client-ID and the X-Client-Secret header."
MALFORMED = "The credentials are malformed: copy them again, without extra spaces or characters."
INCORRECT = "The client ID or client secret is incorrect."
API_KEY_INCORRECT = "The API key is incorrect."
EXPIRED = "The access key has expired."
REVOKED = "The access key has been revoked."
KEY_GONE = "The key was deleted."
INACTIVE = "This access key is inactive."
API_KEY_INACTIVE = "This API key is inactive."
OWNER_GONE = "The access key's owner no longer belongs to this organization."
CREATOR_GONE = "The API key's creator no longer belongs to this organization."
API_KEYS_DISABLED = "API keys are disabled for this organization. Use an access key instead."
API_KEYS_SUNSET = "API keys were retired on {date}. Use an access key instead."


class KeyRejected(Exception):
    """The credentials do not authenticate; ``detail`` says why without disclosing what exists."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class KeyForbidden(KeyRejected):
    """The key is valid but may not be used for this request (its allowed addresses, the organization's
    maximum lifetime): answered 403, not counted as a failed guess."""


class Caller:
    """Who is calling the JSON API: an organization, the role the key acts with, and the key itself.

    Verification reads only the columns it checks; the key and its organization become model instances,
    from one more query by the key's primary key, when the request first uses them.
    """

    def __init__(self, found: Found, role: str) -> None:
        self.found, self.role = found, role

    @property
    def organization(self) -> Organization:
        return self.found.instance.organization

    @property
    def is_access_key(self) -> bool:
        """An access key, not a legacy API key (``found.key`` reads the one or the other's columns)."""
        return self.found.lookup.model is AccessKey

    @property
    def access_key(self) -> AccessKey | None:
        return self.found.instance if self.is_access_key else None

    @property
    def api_key(self) -> APIKey | None:
        return None if self.is_access_key else self.found.instance

    @property
    def is_admin(self) -> bool:
        return self.role == Membership.Role.ADMIN

    @property
    def actor(self) -> Any:
        """What the audit log records as the actor: the access key, or the API key's label."""
        if self.access_key is not None:
            return self.access_key
        return f"API key {self.api_key.prefix}…"


# Formats ----------------------------------------------------------------------------------------


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    """The CRC32 of ``body`` in 6 base62 characters: catches typos and truncation, not forgery."""
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def _token(prefix: str) -> str:
    body = prefix + _random(BASE62, RANDOM_LENGTH)
    return body + checksum(body)


# Checked on every API request: one compiled match each rather than a loop over the characters.
_BASE62_TEXT = re.compile("[0-9A-Za-z]+")
_ACCESS_KEY_ID = re.compile(f"{ACCESS_KEY_ID_PREFIX}[A-Z0-9]{{{KEY_ID_RANDOM_LENGTH}}}")


def has_shape(token: str, prefix: str) -> bool:
    """True if ``token`` has ``prefix`` and the right length: what is checked before a key is looked up.
    The rest of :func:`is_well_formed` only decides, once no key matched, which refusal to give (a
    secret that matched a stored hash was well formed when it was issued)."""
    return len(token) == len(prefix) + RANDOM_LENGTH + CHECKSUM_LENGTH and token.startswith(prefix)


def is_well_formed(token: str, prefix: str) -> bool:
    """True if ``token`` has ``prefix``, the right length and alphabet, and a matching checksum."""
    if not has_shape(token, prefix):
        return False
    if not _BASE62_TEXT.fullmatch(token, len(prefix)):
        return False
    body, check = token[:-CHECKSUM_LENGTH], token[-CHECKSUM_LENGTH:]
    return hmac.compare_digest(checksum(body), check)


def is_access_key_id(key_id: str) -> bool:
    """True if ``key_id`` looks like an access key ID (no database access)."""
    return _ACCESS_KEY_ID.fullmatch(key_id) is not None


def new_access_key_id() -> str:
    """A fresh public access key ID such as ``CHAK7Q2M…``."""
    return ACCESS_KEY_ID_PREFIX + _random(KEY_ID_ALPHABET, KEY_ID_RANDOM_LENGTH)


def new_access_key_secret() -> str:
    """A fresh access key secret: ``chsk_`` + 190 random bits + checksum."""
    return _token(ACCESS_KEY_SECRET_PREFIX)


def new_api_key() -> str:
    """A fresh legacy API key: ``chk_`` + 190 random bits + checksum."""
    return _token(API_KEY_PREFIX)


# Hashing ----------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _hash_key(secret_key: str) -> bytes:
    # A key of its own for hashing keys: a leaked hash cannot be checked without SECRET_KEY, and the
    # Fernet encryption keys are never reused for another purpose.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"credhub.keys.v1").derive(secret_key.encode())


def hash_secret(secret: str) -> str:
    """The stored form of a secret: hex HMAC-SHA256 under the key-hashing key."""
    return hmac.new(_hash_key(settings.SECRET_KEY), secret.encode(), hashlib.sha256).hexdigest()


# Issuing ----------------------------------------------------------------------------------------


@sensitive_variables("secret")
def create_access_key(
    organization: Organization,
    name: str,
    *,
    owner: Any = None,
    system_generated: bool = False,
    role: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[AccessKey, str]:
    """Create an access key and return it with its secret, which is never available again.

    A key with an owner acts with the owner's role at request time (``role`` only records the role at
    creation); a system-generated key (``owner=None``) acts with ``role``, ``member`` by default.
    Auditing is the caller's job, since only the caller knows who asked.
    """
    if role is None:
        role = Membership.Role.MEMBER
        if owner is not None:
            membership = Membership.objects.filter(user=owner, organization=organization).first()
            role = membership.role if membership else Membership.Role.MEMBER
    secret = new_access_key_secret()
    access_key = AccessKey.objects.create(
        organization=organization,
        owner=owner,
        name=name,
        key_id=new_access_key_id(),
        secret_hash=hash_secret(secret),
        role=role,
        system_generated=system_generated,
        expires_at=expires_at,
    )
    return access_key, secret


@sensitive_variables("key")
def create_api_key(organization: Organization, name: str, *, created_by: Any = None) -> tuple[APIKey, str]:
    """Create a legacy API key and return it with the key itself, which is never available again."""
    key = new_api_key()
    api_key = APIKey.objects.create(
        organization=organization,
        name=name,
        prefix=key[:API_KEY_DISPLAY_LENGTH],
        secret_hash=hash_secret(key),
        created_by=created_by,
    )
    return api_key, key


@sensitive_variables("key")
def regenerate_api_key(api_key: APIKey) -> str:
    """Give ``api_key`` a new value; the old value stops working with this update."""
    key = new_api_key()
    api_key.prefix = key[:API_KEY_DISPLAY_LENGTH]
    api_key.secret_hash = hash_secret(key)
    api_key.last_used_at = None
    api_key.save(update_fields=["prefix", "secret_hash", "last_used_at"])
    return key


def roll_refusal(access_key: AccessKey, now: datetime) -> str | None:
    """Why ``access_key`` cannot be rolled, or None: a revoked or expired key stays refused for good."""
    if access_key.revoked_at is not None:
        return "A revoked access key cannot be rolled. Create a new access key instead."
    if access_key.expires_at is not None and access_key.expires_at <= now:
        return "An expired access key cannot be rolled. Create a new access key instead."
    return None


@sensitive_variables("secret")
def roll_access_key(access_key: AccessKey, grace: timedelta, now: datetime) -> str:
    """Give ``access_key`` a new secret and return it; the current one keeps working for ``grace`` (never
    beyond the key's expiry). A secret a previous roll replaced stops at once: at most two work."""
    secret = new_access_key_secret()
    until = min(now + grace, access_key.expires_at) if access_key.expires_at else now + grace
    if until > now:
        access_key.previous_secret_hash, access_key.previous_secret_until = access_key.secret_hash, until
    else:
        access_key.previous_secret_hash, access_key.previous_secret_until = "", None
    access_key.secret_hash = hash_secret(secret)
    access_key.save(update_fields=["secret_hash", "previous_secret_hash", "previous_secret_until"])
    return secret


def regenerate_debug_session_key(organization: Organization) -> str:
    """Give the organization a new debug session key and return it."""
    organization.debug_session_key = new_debug_session_key()
    organization.save(update_fields=["debug_session_key"])
    return organization.debug_session_key


# Verifying --------------------------------------------------------------------------------------


@sensitive_variables("secret")  # kept out of Django's error reports
def authenticate_access_key(
    key_id: str,
    secret: str,
    *,
    address: str | None = None,
    method: str = "",
    path: str = "",
    now: datetime | None = None,
    lookup: KeyLookup = access_key_by_id,
) -> Caller:
    """Check an access key ID + secret; return the caller or raise :class:`KeyRejected`. ``address``,
    ``method`` and ``path`` (without the query) describe the request, for the key's last use. ``lookup``
    names the columns the caller reads besides verification's (the proxy's, ``access_key_for_proxy``).

    One query: the key by its unique ID and the secret's hash, with its organization and its owner's
    current role. A wrong secret and an unknown ID both find no row (see credentials.key_lookup).
    """
    if not is_access_key_id(key_id) or not has_shape(secret, ACCESS_KEY_SECRET_PREFIX):
        raise KeyRejected(MALFORMED)
    now = now or timezone.now()
    presented = hash_secret(secret)
    found = lookup.find(key_id=key_id, hash=presented)
    if found is None:
        raise KeyRejected(INCORRECT if is_well_formed(secret, ACCESS_KEY_SECRET_PREFIX) else MALFORMED)
    key = found.key
    # During a roll the secret it replaced works too, until its time.
    if not hmac.compare_digest(presented, key.secret_hash):
        until = key.previous_secret_until
        if until is None or until <= now:
            raise KeyRejected(INCORRECT)
    if key.revoked_at is not None:
        raise KeyRejected(REVOKED)
    if key.deactivated_at is not None:
        raise KeyRejected(INACTIVE)
    if (expires_at := key.expires_at) is not None and expires_at <= now:
        raise KeyRejected(EXPIRED)
    if (role := found.role) is None:  # a system-generated key has its stored role, any other its owner's
        raise KeyRejected(OWNER_GONE)
    # Most keys have neither allowed addresses nor a maximum lifetime: then neither check is called.
    if (allowed := key.allowed_addresses) and (refusal := allowed_addresses.refusal(allowed, address)):
        raise KeyForbidden(refusal)
    if found.organization.access_key_max_lifetime and (
        refusal := expiry.lifetime_refusal(key, found.organization, now)
    ):
        raise KeyForbidden(refusal)
    record_use(found, address=address, method=method, path=path, now=now)
    return Caller(found, role)


def api_key_refusal(organization: Any, now: datetime) -> str | None:
    """Why the organization's legacy API keys are refused right now, or None if they work."""
    policy = organization.api_key_policy
    if policy == Organization.APIKeyPolicy.DISABLED:
        return API_KEYS_DISABLED
    sunset = organization.api_key_sunset_at
    if policy == Organization.APIKeyPolicy.DEPRECATED and sunset is not None and sunset <= now:
        return API_KEYS_SUNSET.format(date=sunset.date().isoformat())
    return None


@sensitive_variables("key")
def authenticate_api_key(key: str, *, address: str | None = None, now: datetime | None = None) -> Caller:
    """Check a legacy API key; return the caller or raise :class:`KeyRejected`.

    One query: the key by its unique hash, with its organization and its creator's current role. A key
    acts with the role of the admin who generated it (an operator-made key acts as a member).
    """
    if not has_shape(key, API_KEY_PREFIX):
        raise KeyRejected(MALFORMED)
    now = now or timezone.now()
    found = api_key_by_hash.find(hash=hash_secret(key))
    if found is None:
        raise KeyRejected(API_KEY_INCORRECT if is_well_formed(key, API_KEY_PREFIX) else MALFORMED)
    if refusal := api_key_refusal(found.organization, now):
        raise KeyRejected(refusal)
    if found.key.deactivated_at is not None:
        raise KeyRejected(API_KEY_INACTIVE)
    if found.key.created_by_id is None:
        role = Membership.Role.MEMBER
    elif found.role is None:
        raise KeyRejected(CREATOR_GONE)
    else:
        role = found.role
    record_use(found, address=address, now=now)
    return Caller(found, role)


def record_use(found: Found, *, address: str | None, now: datetime, method: str = "", path: str = "") -> None:
    """Note that the found key was used, at most once a minute: no write at all if it was noted recently.
    An access key also notes the address, method and path of that request (never its query string, which
    could carry anything).

    The UPDATE is conditional, so concurrent requests write once between them.
    """
    cutoff = now - LAST_USED_INTERVAL
    if (last_used_at := found.key.last_used_at) is not None and last_used_at > cutoff:
        return
    model = found.lookup.model
    changes: dict[str, Any] = {"last_used_at": now}
    if model is AccessKey:
        changes["last_used_ip"] = address
        changes["last_used_method"] = method[: AccessKey._meta.get_field("last_used_method").max_length]
        changes["last_used_path"] = path.split("?", 1)[0][: AccessKey._meta.get_field("last_used_path").max_length]
    model.objects.filter(pk=found.key.id).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff)).update(
        **changes
    )
    found.update(changes)
