"""Key formats, hashing and verification (credentials/keys.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from credentials import keys
from credentials.key_lookup import KeyGone
from credentials.models import AccessKey, Membership, Organization
from tests.clients import api


def test_secrets_carry_prefix_checksum_and_enough_randomness() -> None:
    secret = keys.new_access_key_secret()
    assert secret.startswith("chsk_")
    assert keys.is_well_formed(secret, keys.ACCESS_KEY_SECRET_PREFIX)
    assert keys.RANDOM_LENGTH * 5.954 >= 160  # log2(62) bits per character
    api_key = keys.new_api_key()
    assert api_key.startswith("chk_") and keys.is_well_formed(api_key, keys.API_KEY_PREFIX)
    assert keys.is_access_key_id(keys.new_access_key_id())
    assert len({keys.new_access_key_secret() for _ in range(50)}) == 50


def test_a_typo_fails_the_checksum() -> None:
    secret = keys.new_access_key_secret()
    position = len(keys.ACCESS_KEY_SECRET_PREFIX) + 3
    replacement = "a" if secret[position] != "a" else "b"
    typo = secret[:position] + replacement + secret[position + 1 :]
    assert not keys.is_well_formed(typo, keys.ACCESS_KEY_SECRET_PREFIX)
    assert not keys.is_well_formed(secret[:-1], keys.ACCESS_KEY_SECRET_PREFIX)
    assert not keys.is_well_formed(secret + " ", keys.ACCESS_KEY_SECRET_PREFIX)
    assert not keys.is_well_formed(secret, keys.API_KEY_PREFIX)


def test_only_a_keyed_hash_is_stored(organization, admin_user) -> None:
    access_key, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    stored = AccessKey.objects.get(pk=access_key.pk)
    assert secret not in stored.secret_hash and stored.secret_hash == keys.hash_secret(secret)
    with override_settings(SECRET_KEY="another-secret-key"):
        assert keys.hash_secret(secret) != stored.secret_hash


def test_verification_is_one_query(organization, admin_user, django_assert_num_queries) -> None:
    _, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    key_id = AccessKey.objects.get().key_id
    keys.authenticate_access_key(key_id, secret)  # first use writes last used
    with django_assert_num_queries(1):
        caller = keys.authenticate_access_key(key_id, secret)
    assert caller.organization == organization and caller.role == Membership.Role.ADMIN
    # The row is converted exactly as the ORM would: dates are datetimes, JSON is decoded.
    loaded = caller.organization
    assert loaded.created_at == organization.created_at
    assert loaded.access_key_expiry_periods == [7, 30, 60, 90, 180, 365]
    assert caller.access_key.created_at == AccessKey.objects.get().created_at


def test_verification_reads_only_the_columns_it_checks(organization, admin_user, django_assert_num_queries) -> None:
    _, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    key_id = AccessKey.objects.get().key_id
    keys.authenticate_access_key(key_id, secret)  # first use writes last used
    with django_assert_num_queries(1) as queries:
        caller = keys.authenticate_access_key(key_id, secret)
    sql = queries.captured_queries[0]["sql"]
    assert sql.upper().count("SELECT") == 1 and "debug_session_key" not in sql  # no subquery
    selected = sql[: sql.index(" FROM ")]
    for column in ("k.name", "o.name", "o.slug", "last_used_ip", "previous_secret_hash"):
        assert column not in selected
    # The rest of the key and its organization is one more query, made when a request first needs it.
    with django_assert_num_queries(1):
        key, organization_row = caller.found.row
        assert (key.name, organization_row.name) == ("CI", organization.name)
        assert caller.access_key.name == "CI" and caller.organization.slug == organization.slug
    # Reading the debug session key anyway loads the real one from the database, never a stand-in.
    assert caller.organization.get_deferred_fields() == {"debug_session_key"}
    assert caller.organization.debug_session_key == organization.debug_session_key
    # The instance saves as the row it came from: no second organization appears.
    caller.organization.name = "Acme Corp"
    caller.organization.save(update_fields=["name"])
    organization.refresh_from_db()
    assert organization.name == "Acme Corp"


def test_a_key_deleted_after_verification_is_refused_when_the_request_reads_it(organization, admin_user) -> None:
    access_key, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    caller = keys.authenticate_access_key(access_key.key_id, secret)
    AccessKey.objects.filter(pk=access_key.pk).delete()
    with pytest.raises(KeyGone):
        caller.organization  # noqa: B018 - the read is the test


def test_a_malformed_secret_is_named_so_after_the_lookup(organization, admin_user) -> None:
    """Only the shape is checked before the lookup; the checksum decides the refusal once no key matched."""
    access_key, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    typo = secret[:-1] + ("A" if secret[-1] != "A" else "B")  # the checksum no longer matches
    for key_id, presented in ((access_key.key_id, typo), (access_key.key_id, secret[:-1]), ("CHAK-nope", secret)):
        with pytest.raises(keys.KeyRejected) as refused:
            keys.authenticate_access_key(key_id, presented)
        assert refused.value.detail == keys.MALFORMED


def test_a_deactivated_owner_s_key_is_refused(organization, admin_user) -> None:
    access_key, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    admin_user.is_active = False
    admin_user.save(update_fields=["is_active"])
    with pytest.raises(keys.KeyRejected) as refused:
        keys.authenticate_access_key(access_key.key_id, secret)
    assert refused.value.detail == keys.OWNER_GONE


def test_unknown_id_and_wrong_secret_get_the_same_answer(organization, admin_user) -> None:
    access_key, _ = keys.create_access_key(organization, "CI", owner=admin_user)
    with pytest.raises(keys.KeyRejected) as unknown:
        keys.authenticate_access_key(keys.new_access_key_id(), keys.new_access_key_secret())
    with pytest.raises(keys.KeyRejected) as wrong:
        keys.authenticate_access_key(access_key.key_id, keys.new_access_key_secret())
    assert unknown.value.detail == wrong.value.detail == keys.INCORRECT


def test_last_used_is_written_at_most_once_a_minute(organization, admin_user, django_assert_num_queries) -> None:
    access_key, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    now = timezone.now()
    keys.authenticate_access_key(access_key.key_id, secret, address="10.0.0.1", now=now)
    access_key.refresh_from_db()
    assert access_key.last_used_at == now and access_key.last_used_ip == "10.0.0.1"
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        keys.authenticate_access_key(access_key.key_id, secret, address="10.0.0.2", now=now + timedelta(seconds=59))
    with django_assert_num_queries(2):
        keys.authenticate_access_key(access_key.key_id, secret, address="10.0.0.3", now=now + timedelta(seconds=61))
    access_key.refresh_from_db()
    assert access_key.last_used_ip == "10.0.0.3"


def test_system_key_acts_with_its_stored_role(organization) -> None:
    access_key, secret = keys.create_access_key(organization, "Sync", system_generated=True, role="admin")
    assert keys.authenticate_access_key(access_key.key_id, secret).role == "admin"


def test_api_key_regeneration_stops_the_old_value(organization, admin_user) -> None:
    api_key, old = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    new = keys.regenerate_api_key(api_key)
    assert keys.authenticate_api_key(new).api_key == api_key
    with pytest.raises(keys.KeyRejected):
        keys.authenticate_api_key(old)


def test_api_key_policy(organization, admin_user) -> None:
    _, key = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    organization.api_key_policy = Organization.APIKeyPolicy.DEPRECATED
    organization.api_key_sunset_at = timezone.now() + timedelta(days=1)
    organization.save()
    assert keys.authenticate_api_key(key).role == "admin"
    organization.api_key_sunset_at = timezone.now() - timedelta(seconds=1)
    organization.save()
    with pytest.raises(keys.KeyRejected, match="retired"):
        keys.authenticate_api_key(key)
    organization.api_key_policy = Organization.APIKeyPolicy.DISABLED
    organization.save()
    with pytest.raises(keys.KeyRejected, match="disabled"):
        keys.authenticate_api_key(key)


# Through the API: identical refusals, and owners who leave ---------------------------------------


def test_unknown_key_id_and_wrong_secret_answer_byte_for_byte_alike(admin_key) -> None:
    access_key, _ = admin_key
    unknown = Client().get(
        "/api/v1/account",
        headers={"X-Client-ID": keys.new_access_key_id(), "X-Client-Secret": keys.new_access_key_secret()},
    )
    wrong = Client().get(
        "/api/v1/account", headers={"X-Client-ID": access_key.key_id, "X-Client-Secret": keys.new_access_key_secret()}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.content == wrong.content
    assert sorted(unknown.headers.items()) == sorted(wrong.headers.items())


def test_a_deactivated_owner_takes_the_keys_power(admin_key, admin_user) -> None:
    assert api("get", "account", admin_key).status_code == 200
    admin_user.is_active = False  # how an operator removes someone from every organization at once
    admin_user.save(update_fields=["is_active"])
    response = api("get", "account", admin_key)
    assert response.status_code == 401
    assert response.json()["detail"] == keys.OWNER_GONE


def test_a_deactivated_creator_takes_the_api_keys_power(organization, admin_user) -> None:
    _, key = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    assert Client().get("/api/v1/account", headers={"x-api-key": key}).status_code == 200
    admin_user.is_active = False
    admin_user.save(update_fields=["is_active"])
    response = Client().get("/api/v1/account", headers={"x-api-key": key})
    assert response.status_code == 401
    assert response.json()["detail"] == keys.CREATOR_GONE
