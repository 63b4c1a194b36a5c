"""Sign-in throttling (django-axes, counted in the cache): per username, per address, admin too, unlock."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client, override_settings

from credentials.models import AuditEvent
from tests.conftest import PASSWORD

LIMIT = 3


def _fail(client: Client, username: str, times: int, path: str = "/accounts/login/", **extra) -> list[int]:
    return [
        client.post(path, {"username": username, "password": f"wrong-{i}"}, **extra).status_code for i in range(times)
    ]


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_wrong_passwords_lock_the_username_with_a_clear_message_and_an_audit_event(admin_user, organization) -> None:
    client = Client()
    assert _fail(client, "acme-admin", LIMIT - 1) == [200] * (LIMIT - 1)
    locked = client.post("/accounts/login/", {"username": "acme-admin", "password": "wrong-last"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many wrong passwords for “acme-admin”" in html and "locked for 15 minutes" in html
    assert 'role="alert"' in html
    # The right password is refused too while the lockout lasts, from another address as well.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert elsewhere.post("/accounts/login/", {"username": "acme-admin", "password": PASSWORD}).status_code == 429
    events = AuditEvent.objects.filter(action="sign_in.locked_out")
    assert [(e.organization, e.details["username"], e.address) for e in events] == [
        (organization, "acme-admin", "127.0.0.1")
    ]


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_one_address_trying_many_usernames_is_locked(admin_user, member_user) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for index in range(LIMIT):
        client.post("/accounts/login/", {"username": f"guess-{index}", "password": "x"})
    assert client.post("/accounts/login/", {"username": "acme-member", "password": PASSWORD}).status_code == 429
    # Another address signs the same user in.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post("/accounts/login/", {"username": "acme-member", "password": PASSWORD}).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_the_admin_sign_in_is_throttled_too(django_user_model) -> None:
    django_user_model.objects.create_superuser("operator", "o@example.com", PASSWORD)
    client = Client()
    _fail(client, "operator", LIMIT, path="/admin/login/")
    response = client.post("/admin/login/?next=/admin/", {"username": "operator", "password": PASSWORD})
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="sign_in.locked_out", details__username="operator").count() == 1


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_an_operator_unlocks_a_username_and_an_address(admin_user) -> None:
    client = Client()
    _fail(client, "acme-admin", LIMIT)
    call_command("axes_reset_username", "acme-admin")
    call_command("axes_reset_ip", "127.0.0.1")
    response = client.post("/accounts/login/", {"username": "acme-admin", "password": PASSWORD})
    assert response.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_right_password_before_the_limit_starts_the_count_again(admin_user) -> None:
    client = Client()
    _fail(client, "acme-admin", LIMIT - 1)
    assert client.post("/accounts/login/", {"username": "acme-admin", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    assert _fail(client, "acme-admin", LIMIT - 1) == [200] * (LIMIT - 1)


def test_signing_in_cycles_the_session_and_it_lasts_twelve_hours(admin_user) -> None:
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["before"] = "sign-in"
    session.save()
    before = session.session_key
    assert client.post("/accounts/login/", {"username": "acme-admin", "password": PASSWORD}).status_code == 302
    assert client.session.session_key != before
    cookie = client.cookies["sessionid"]
    assert int(cookie["max-age"]) == 12 * 3600


@override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
def test_sessions_can_end_when_the_browser_closes(admin_user) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "acme-admin", "password": PASSWORD})
    assert client.cookies["sessionid"]["max-age"] == "" and client.cookies["sessionid"]["expires"] == ""
