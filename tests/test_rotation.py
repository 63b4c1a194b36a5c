"""Encryption key rotation end to end, as the README tells an operator to do it."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from credentials import rotation
from credentials.encryption import Sealed
from credentials.models import Credential, Organization, OrganizationCredential

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()

# Rotating 10,000 rows in batches of 500 takes about 0.6 MB at its peak; merely loading the 10,000
# (pk, token) pairs at once takes about 5 MB. The bound sits between, so it fails if rotation ever
# holds the whole table, and it does not grow with the number of rows.
PEAK_MEMORY_BOUND = 2 * 1024 * 1024


def _stored_tokens() -> list[str]:
    tokens = [s.token for s in Credential.objects.filter(secrets__isnull=False).values_list("secrets", flat=True)]
    return tokens + [s.token for s in OrganizationCredential.objects.values_list("secrets", flat=True)]


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def secrets_under_old_key(organization) -> dict[str, object]:
    """A credential of each shape, and an org-specific one with a row per child, all under the old key."""
    expected: dict[str, object] = {}
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[OLD_KEY]):
        for name, auth_type, secrets in [
            ("Basic", "basic", {"username": "u", "password": "basic-pw-1"}),
            ("Headers", "headers", {"x-api-key": "header-key-2"}),
            ("Bearer", "bearer", {"value": "bearer-tok-3"}),
            ("AWS", "aws4", {"access_key": "AKIA4", "secret_key": "aws-secret-4"}),
            ("HMAC", "hmac_sha256", {"client_id": "cid", "client_secret": "hmac-secret-5"}),
        ]:
            credential = Credential.objects.create(
                organization=organization, name=name, auth_type=auth_type, secrets=secrets
            )
            expected[str(credential.pk)] = secrets
        regional = Credential.objects.create(organization=organization, name="Regional", org_specific=True)
        for child in Organization.objects.filter(parent=organization):
            row = OrganizationCredential.objects.create(
                credential=regional, organization=child, secrets={"value": f"{child.slug}-token"}
            )
            expected[str(row.pk)] = {"value": f"{child.slug}-token"}
    return expected


def _revealed() -> dict[str, object]:
    values = {
        str(pk): s.reveal() for pk, s in Credential.objects.filter(secrets__isnull=False).values_list("pk", "secrets")
    }
    values.update({str(pk): s.reveal() for pk, s in OrganizationCredential.objects.values_list("pk", "secrets")})
    return values


def test_rotation_end_to_end_loses_nothing_and_retires_the_old_key(secrets_under_old_key) -> None:
    old_tokens = _stored_tokens()
    assert len(old_tokens) == 7

    # Step 1: the new key goes in front; everything still decrypts, nothing is under the new key yet.
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        before = json.loads(_run("verify_encryption", "--json"))
        assert before["ok"] and before["not_under_primary_key"] == 7
        # Step 2: rotate.
        summary = json.loads(_run("rotate_encryption_key", "--json"))
        assert summary["rotated"] == 7 and summary["unreadable"] == []
        assert summary["rotated_per_model"] == {"Credential": 5, "OrganizationCredential": 2}
        # Step 3: verify.
        after = json.loads(_run("verify_encryption", "--json"))
        assert after["ok"] and after["not_under_primary_key"] == 0

    # Step 4: the old key is dropped; every secret still decrypts to its old value.
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY]):
        assert "All 7 stored secrets decrypt." in _run("verify_encryption")
        assert _revealed() == secrets_under_old_key

    # And none is readable with the old key alone.
    new_tokens = _stored_tokens()
    assert not set(new_tokens) & set(old_tokens)
    for token in new_tokens:
        with pytest.raises(InvalidToken):
            Fernet(OLD_KEY.encode()).decrypt(token.encode())
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[OLD_KEY]), pytest.raises(CommandError):
        _run("verify_encryption")


def test_dropping_the_old_key_too_early_is_caught_by_verify(secrets_under_old_key) -> None:
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY]):
        out = io.StringIO()
        with pytest.raises(CommandError) as raised:
            call_command("verify_encryption", "--json", stdout=out, stderr=io.StringIO())
        assert raised.value.returncode == 1
        assert len(json.loads(out.getvalue())["unreadable"]) == 7


def test_an_interrupted_rotation_resumes_where_it_stopped(secrets_under_old_key) -> None:
    class Interrupted(Exception):
        pass

    def stop_after_first_batch(done: int, total: int) -> None:
        raise Interrupted

    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        with pytest.raises(Interrupted):
            rotation.rotate_all(batch_size=2, progress=stop_after_first_batch)
        # The first batch was committed before the interruption.
        assert rotation.verify_all().not_under_primary_key == 5
        report = rotation.rotate_all(batch_size=2)
        assert (report.rotated, report.already_current, report.unreadable) == (5, 2, [])
        # Running it yet again changes nothing: rotating is idempotent.
        tokens = _stored_tokens()
        assert rotation.rotate_all(batch_size=2).already_current == 7
        assert _stored_tokens() == tokens
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY]):
        assert _revealed() == secrets_under_old_key


def test_rotation_does_not_touch_what_it_does_not_own(secrets_under_old_key) -> None:
    stamps = dict(Credential.objects.values_list("pk", "updated_at"))
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        rotation.rotate_all()
    assert dict(Credential.objects.values_list("pk", "updated_at")) == stamps


def test_rotating_10000_credentials_keeps_every_value_in_bounded_memory(organization) -> None:
    count = 10_000
    old = Fernet(OLD_KEY.encode())
    Credential.objects.bulk_create(
        [
            Credential(
                organization=organization,
                name=f"Credential {n:05d}",
                auth_type="bearer",
                secrets=Sealed(old.encrypt(json.dumps({"value": f"token-{n:05d}"}).encode()).decode()),
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        tracemalloc.start()
        try:
            report = rotation.rotate_all(batch_size=500)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (report.rotated, report.already_current, report.unreadable) == (count, 0, [])
    assert peak < PEAK_MEMORY_BOUND, f"peak {peak / 1e6:.1f} MB"

    new = Fernet(NEW_KEY.encode())
    checked = 0
    for name, sealed in Credential.objects.values_list("name", "secrets").iterator(chunk_size=2000):
        assert json.loads(new.decrypt(sealed.token.encode())) == {"value": f"token-{name[-5:]}"}
        checked += 1
    assert checked == count


def test_a_secret_saved_during_rotation_is_not_overwritten(secrets_under_old_key, organization) -> None:
    credential = Credential.objects.get(name="Bearer")
    stale = Credential.objects.get(pk=credential.pk).secrets.token
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        # An admin saves a new token between rotation's read and its write...
        credential.secrets = {"value": "saved-meanwhile"}
        credential.save()
        rotation._write_tokens(Credential, [(credential.pk, stale, rotation.rotate(stale))])
        # ...and keeps it: the write only replaces the very token that was read.
        assert Credential.objects.get(pk=credential.pk).secrets.reveal() == {"value": "saved-meanwhile"}


def test_the_command_draws_a_progress_bar_on_stderr(secrets_under_old_key) -> None:
    out, err = io.StringIO(), io.StringIO()
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_key", "--batch-size", "3", stdout=out, stderr=err)
    assert "Re-encrypting [" in err.getvalue() and "7/7 (100%)" in err.getvalue()
    assert "re-encrypted 7" in out.getvalue() and "Re-encrypting" not in out.getvalue()
