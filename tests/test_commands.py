"""The operators' manage.py commands: output fit for scripts, exit codes, audit events, failure paths."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from credentials.audit import OPERATOR
from credentials.models import AccessKey, AuditEvent, Connection, Credential, Membership, Organization
from tests.clients import api
from tests.factories import make_connection, make_credential, make_system_key

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: io.StringIO | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    extra = {"stdin": stdin} if stdin is not None else {}
    call_command(*args, stdout=out, stderr=err, **extra)
    return out.getvalue(), err.getvalue()


def fails(*args: str, returncode: int) -> str:
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert raised.value.returncode == returncode, str(raised.value)
    return str(raised.value)


def test_bad_arguments_exit_2_and_help_exits_0_from_the_command_line() -> None:
    env = {**os.environ, "DEBUG": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    missing = subprocess.run([*manage, "expire_keys"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert missing.returncode == 2
    assert "one of the arguments --older-than-days --key-id is required" in missing.stderr
    helped = subprocess.run([*manage, "rotate_encryption_key", "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0 and "primary (first) key" in helped.stdout


@pytest.mark.parametrize(
    "name",
    [
        "create_organization",
        "seed_demo",
        "list_credentials",
        "revoke_key",
        "expire_keys",
        "create_system_key",
        "rotate_encryption_key",
        "verify_encryption",
        "generate_encryption_key",
        "list_webhooks",
        "retry_failed_deliveries",
    ],
)
def test_every_command_has_help(name: str) -> None:
    with pytest.raises(SystemExit) as exited:
        run(name, "--help")
    assert exited.value.code == 0


# generate_encryption_key ------------------------------------------------------------------------


def test_generate_encryption_key_prints_a_working_fernet_key() -> None:
    key, _ = run("generate_encryption_key")
    fernet = Fernet(key.strip().encode())
    assert fernet.decrypt(fernet.encrypt(b"x")) == b"x"
    assert run("generate_encryption_key")[0] != key


# create_organization ----------------------------------------------------------------------------


def test_create_organization_prints_a_one_time_password_that_signs_in(db) -> None:
    out, _ = run("create_organization", "initech", "--name", "Initech", "--admin-username", "peter")
    organization = Organization.objects.get(slug="initech")
    assert organization.name == "Initech" and not organization.api_credentials_enabled
    assert f"Account ID {organization.account_id}" in out
    password = out.split("Password (shown once): ")[1].strip()
    user = authenticate(username="peter", password=password)
    assert user is not None
    assert Membership.objects.get(user=user, organization=organization).is_admin
    event = AuditEvent.objects.get(action="organization.created")
    assert event.actor == OPERATOR and event.organization == organization
    assert password not in json.dumps(event.details)


def test_create_organization_reads_the_password_from_stdin_and_never_echoes_it(db, organization) -> None:
    out, err = run(
        "create_organization",
        "acme-north",
        "--name",
        "Acme North",
        "--admin-username",
        "north-admin",
        "--admin-email",
        "north@example.com",
        "--parent",
        "acme",
        "--enable-api-credentials",
        "--password-stdin",
        stdin=io.StringIO("correct-horse-battery-42\n"),
    )
    assert "correct-horse-battery-42" not in out + err
    assert "Password" not in out
    child = Organization.objects.get(slug="acme-north")
    assert child.parent == organization and child.api_credentials_enabled
    assert authenticate(username="north-admin", password="correct-horse-battery-42") is not None


def test_create_organization_reads_the_password_from_the_environment(db, monkeypatch) -> None:
    monkeypatch.setenv("CREDHUB_ADMIN_PASSWORD", "env-password-for-admin-7")
    out, _ = run("create_organization", "hooli", "--name", "Hooli", "--admin-username", "gavin")
    assert "env-password-for-admin-7" not in out
    assert authenticate(username="gavin", password="env-password-for-admin-7") is not None


def test_create_organization_makes_an_existing_user_admin_without_touching_the_password(db, admin_user) -> None:
    out, _ = run("create_organization", "umbrella", "--name", "Umbrella", "--admin-username", admin_user.username)
    assert "password is unchanged" in out
    assert authenticate(username=admin_user.username, password="test-password-123") is not None
    assert Membership.objects.get(user=admin_user, organization__slug="umbrella").is_admin


def test_create_organization_failures(db, organization) -> None:
    assert "already exists" in fails(
        "create_organization", "acme", "--name", "Acme", "--admin-username", "x", returncode=1
    )
    assert "No organization" in fails(
        "create_organization", "new", "--name", "New", "--admin-username", "x", "--parent", "nope", returncode=1
    )
    assert "not a valid slug" in fails(
        "create_organization", "bad slug", "--name", "X", "--admin-username", "x", returncode=2
    )
    fails("create_organization", "new", "--admin-username", "x", returncode=2)  # --name is required
    with pytest.raises(CommandError) as raised:
        run(
            "create_organization",
            "new",
            "--name",
            "New",
            "--admin-username",
            "x",
            "--password-stdin",
            stdin=io.StringIO("123\n"),
        )
    assert raised.value.returncode == 2 and "not accepted" in str(raised.value)
    assert not Organization.objects.filter(slug="new").exists()


# seed_demo --------------------------------------------------------------------------------------


def test_seed_demo_is_idempotent_and_says_how_to_sign_in(db) -> None:
    out, _ = run("seed_demo")
    counts = (Organization.objects.count(), Credential.objects.count(), Connection.objects.count())
    again, _ = run("seed_demo")
    assert counts == (Organization.objects.count(), Credential.objects.count(), Connection.objects.count())
    assert counts[0] == 4 and counts[1] == 4
    for text in (out, again):
        assert "/accounts/login/" in text and "acme-admin" in text and "credhub-demo" in text


def test_seed_demo_shows_the_real_key_states_and_its_address(db, monkeypatch) -> None:
    monkeypatch.setenv("PORT", "8123")
    out, _ = run("seed_demo")
    assert "http://127.0.0.1:8123/accounts/login/" in out
    acme, globex = Organization.objects.get(slug="acme"), Organization.objects.get(slug="globex")
    assert acme.api_key_policy == "deprecated" and acme.api_key_sunset_at > timezone.now()
    assert acme.api_keys.count() == 1 and globex.api_key_policy == "enabled"
    assert AccessKey.objects.filter(organization=acme, system_generated=True).count() == 1
    echo = Credential.objects.get(organization=acme, name="Local echo")
    assert echo.base_url == "http://127.0.0.1:8123/demo/echo/"
    run("seed_demo")
    assert acme.api_keys.count() == 1
    assert AccessKey.objects.filter(organization=acme, system_generated=True).count() == 1


def test_manage_py_reads_local_env(tmp_path) -> None:
    # After `make run` wrote local.env, a command run by hand finds DEBUG there instead of failing on SECRET_KEY.
    root = Path(__file__).resolve().parent.parent
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    local_env = root / "local.env"
    existed = local_env.exists()
    if not existed:
        local_env.write_text("DEBUG=1\n")
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        if not existed:
            local_env.unlink()
    assert result.returncode == 0, result.stderr


# list_credentials -------------------------------------------------------------------------------


def test_list_credentials_prints_metadata_only(db, basic_credential, other_organization) -> None:
    make_credential(other_organization, "Globex CRM", auth_type="bearer", secrets={"value": "globex-tok"})
    table, _ = run("list_credentials", "acme")
    lines = table.strip().splitlines()
    assert lines[0].split("\t")[:3] == ["id", "name", "connector"]
    assert len(lines) == 2 and "Billing API" in lines[1] and "Globex CRM" not in table
    out, _ = run("list_credentials", "acme", "--json")
    rows = json.loads(out)
    assert rows == [
        {
            "id": str(basic_credential.pk),
            "name": "Billing API",
            "connector": "http_api",
            "auth_type": "basic",
            "test": False,
            "org_specific": False,
            "base_url": "https://billing.example.com",
            "last_used_at": None,
            "organizations": [],
        }
    ]
    token = Credential.objects.get(pk=basic_credential.pk).secrets.token
    for text in (table, out):
        assert "s3cret-basic-password" not in text and "billing-user" not in text and token not in text


def test_list_credentials_of_an_unknown_organization_fails(db) -> None:
    assert "No organization with the slug “nope”" in fails("list_credentials", "nope", returncode=1)
    fails("list_credentials", returncode=2)


# Access keys ------------------------------------------------------------------------------------


@pytest.fixture
def warehouse_key(organization):
    access_key, _ = make_system_key(organization)
    make_connection(organization, kind=Connection.Kind.DESTINATION, access_key=access_key)
    return access_key


def test_revoke_key_revokes_the_key_and_its_connections(warehouse_key) -> None:
    out, _ = run("revoke_key", warehouse_key.key_id)
    assert f"Revoked access key {warehouse_key.key_id}" in out and "Revoked connection: Warehouse" in out
    warehouse_key.refresh_from_db()
    assert warehouse_key.revoked_at is not None
    assert Connection.objects.get(name="Warehouse").status == Connection.Status.REVOKED
    event = AuditEvent.objects.get(action="access_key.revoked")
    assert event.actor == OPERATOR and event.details["revoked_connections"] == ["Warehouse"]
    again = json.loads(run("revoke_key", warehouse_key.key_id, "--json")[0])
    assert again["already_revoked"] is True
    assert AuditEvent.objects.filter(action="access_key.revoked").count() == 1


def test_revoke_key_with_an_unknown_id_fails(db) -> None:
    assert "No access key" in fails("revoke_key", "AKNOTAKEY", returncode=1)
    fails("revoke_key", returncode=2)


def test_expire_keys_older_than_n_days(organization, other_organization, warehouse_key) -> None:
    fresh, _ = make_system_key(organization, "Fresh")
    globex_old, _ = make_system_key(other_organization, "Globex old")
    AccessKey.objects.filter(pk__in=[warehouse_key.pk, globex_old.pk]).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    dry = json.loads(run("expire_keys", "--older-than-days", "365", "--org", "acme", "--dry-run", "--json")[0])
    assert [row["key_id"] for row in dry] == [warehouse_key.key_id]
    warehouse_key.refresh_from_db()
    assert warehouse_key.expires_at is None

    out, _ = run("expire_keys", "--older-than-days", "365", "--org", "acme")
    assert f"Expired {warehouse_key.key_id}" in out and "Expired 1 access key." in out
    warehouse_key.refresh_from_db()
    fresh.refresh_from_db()
    globex_old.refresh_from_db()
    assert warehouse_key.expires_at <= timezone.now()
    assert fresh.expires_at is None and globex_old.expires_at is None
    assert Connection.objects.get(name="Warehouse").status == Connection.Status.REVOKED
    event = AuditEvent.objects.get(action="access_key.expired")
    assert event.actor == OPERATOR and event.target_id == str(warehouse_key.pk)
    # Already expired keys are not expired twice.
    assert json.loads(run("expire_keys", "--older-than-days", "365", "--org", "acme", "--json")[0]) == []


def test_expire_keys_by_key_id(warehouse_key) -> None:
    rows = json.loads(run("expire_keys", "--key-id", warehouse_key.key_id, "--json")[0])
    assert rows[0]["key_id"] == warehouse_key.key_id and rows[0]["revoked_connections"] == ["Warehouse"]


def test_expire_keys_failures(warehouse_key) -> None:
    fails("expire_keys", returncode=2)
    fails("expire_keys", "--older-than-days", "3", "--key-id", warehouse_key.key_id, returncode=2)
    fails("expire_keys", "--older-than-days", "-1", returncode=2)
    fails("expire_keys", "--older-than-days", "many", returncode=2)
    assert "No organization" in fails("expire_keys", "--older-than-days", "3", "--org", "nope", returncode=1)
    assert "No access key" in fails("expire_keys", "--key-id", "AKNOPE", returncode=1)


def test_create_system_key_prints_the_id_and_secret_once(organization) -> None:
    out, err = run("create_system_key", "acme", "--name", "Warehouse sync", "--role", "admin", "--expires-in-days", "7")
    lines = dict(line.split("=", 1) for line in out.strip().splitlines())
    access_key = AccessKey.objects.get(key_id=lines["CREDHUB_CLIENT_ID"])
    secret = lines["CREDHUB_CLIENT_SECRET"]
    assert access_key.system_generated and access_key.owner is None and access_key.role == "admin"
    assert timedelta(days=6, hours=23) < access_key.expires_at - timezone.now() <= timedelta(days=7)
    assert len(secret) >= 32 and secret not in access_key.secret_hash and "shown once" in err
    event = AuditEvent.objects.get(action="access_key.created")
    assert event.actor == OPERATOR and secret not in json.dumps(event.details)
    data = json.loads(run("create_system_key", "acme", "--name", "Another", "--json")[0])
    another = AccessKey.objects.get(key_id=data["key_id"])
    # Without --expires-in-days the organization's default expiry applies.
    default = timedelta(days=organization.access_key_default_expiry)
    assert abs(another.expires_at - another.created_at - default) < timedelta(seconds=5)


def test_create_system_key_restricted_to_addresses(organization) -> None:
    data = json.loads(
        run(
            "create_system_key",
            "acme",
            "--name",
            "Office",
            "--allow-address",
            "203.0.113.0/24",
            "--allow-address",
            "2001:db8::1",
            "--json",
        )[0]
    )
    assert data["allowed_addresses"] == ["203.0.113.0/24", "2001:db8::1"]
    key = (AccessKey.objects.get(key_id=data["key_id"]), data["secret"])
    assert api("get", "account", key, REMOTE_ADDR="203.0.113.9").status_code == 200
    refused = api("get", "account", key, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 403 and refused.json()["detail"] == "This key cannot be used from 198.51.100.7."
    problem = fails("create_system_key", "acme", "--name", "x", "--allow-address", "10.0.0.1/8", returncode=2)
    assert "did you mean 10.0.0.0/8" in problem
    assert "not an IPv4 or IPv6 address" in fails(
        "create_system_key", "acme", "--name", "x", "--allow-address", "office", returncode=2
    )


def test_create_system_key_respects_the_maximum_lifetime(organization) -> None:
    organization.access_key_max_lifetime = 30
    organization.save(update_fields=["access_key_max_lifetime"])
    problem = fails("create_system_key", "acme", "--name", "Long", "--expires-in-days", "90", returncode=2)
    assert "may last at most 30 days" in problem
    assert not AccessKey.objects.filter(name="Long").exists()
    run("create_system_key", "acme", "--name", "Short", "--expires-in-days", "30")


def test_create_system_key_failures(organization) -> None:
    assert "No organization" in fails("create_system_key", "nope", "--name", "x", returncode=1)
    fails("create_system_key", "acme", "--name", "x", "--role", "owner", returncode=2)
    fails("create_system_key", "acme", "--name", "x", "--expires-in-days", "0", returncode=2)
    fails("create_system_key", "acme", "--name", "  ", returncode=2)
    fails("create_system_key", "acme", returncode=2)
    assert not AccessKey.objects.exists()


# rotate_encryption_key and verify_encryption ----------------------------------------------------


@pytest.fixture
def unreadable_credential(organization):
    """A credential encrypted under a key that credhub no longer has."""
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        return make_credential(organization, "Lost key", auth_type="bearer", secrets={"value": "gone"})


def test_verify_encryption_passes_when_every_secret_decrypts(basic_credential) -> None:
    out, err = run("verify_encryption")
    assert "All 1 stored secrets decrypt." in out and "Verifying" in err
    data = json.loads(run("verify_encryption", "--json", "--no-progress")[0])
    assert data == {
        "ok": True,
        "checked": 1,
        "checked_per_model": {"Credential": 1, "OrganizationCredential": 0},
        "not_under_primary_key": 0,
        "unreadable": [],
    }


def test_verify_encryption_lists_an_undecryptable_row_and_exits_1(basic_credential, unreadable_credential) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_encryption", "--json", stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 1 and "1 of 2" in str(raised.value)
    data = json.loads(out.getvalue())
    assert data["ok"] is False
    assert data["unreadable"] == [{"model": "Credential", "id": str(unreadable_credential.pk), "organization": "acme"}]


def test_rotate_reports_an_undecryptable_row_leaves_it_untouched_and_exits_1(
    basic_credential, unreadable_credential
) -> None:
    token = Credential.objects.get(pk=unreadable_credential.pk).secrets.token
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("rotate_encryption_key", stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 1 and "left untouched" in str(raised.value)
    assert f"UNREADABLE\tCredential\t{unreadable_credential.pk}\tacme" in out.getvalue()
    assert Credential.objects.get(pk=unreadable_credential.pk).secrets.token == token
    event = AuditEvent.objects.get(action="encryption.rotated")
    assert event.actor == OPERATOR and event.details["unreadable"] == 1


def test_rotate_encryption_key_json_and_bad_batch_size(basic_credential) -> None:
    data = json.loads(run("rotate_encryption_key", "--json")[0])
    assert data["checked"] == 1 and data["already_current"] == 1 and data["unreadable"] == []
    fails("rotate_encryption_key", "--batch-size", "0", returncode=2)


def test_a_system_key_from_the_command_calls_the_api_until_revoked_or_expired(organization, client) -> None:
    out, _ = run("create_system_key", "acme", "--name", "Warehouse sync")
    env = dict(line.split("=", 1) for line in out.strip().splitlines())
    headers = {"X-Client-ID": env["CREDHUB_CLIENT_ID"], "X-Client-Secret": env["CREDHUB_CLIENT_SECRET"]}
    assert client.get("/api/v1/account", headers=headers).status_code == 200
    run("expire_keys", "--key-id", env["CREDHUB_CLIENT_ID"])
    expired = client.get("/api/v1/account", headers=headers)
    assert expired.status_code == 401 and expired.json()["detail"] == "The access key has expired."

    out, _ = run("create_system_key", "acme", "--name", "Second")
    env = dict(line.split("=", 1) for line in out.strip().splitlines())
    headers = {"X-Client-ID": env["CREDHUB_CLIENT_ID"], "X-Client-Secret": env["CREDHUB_CLIENT_SECRET"]}
    assert client.get("/api/v1/account", headers=headers).status_code == 200
    run("revoke_key", env["CREDHUB_CLIENT_ID"])
    revoked = client.get("/api/v1/account", headers=headers)
    assert revoked.status_code == 401 and revoked.json()["detail"] == "The access key has been revoked."
