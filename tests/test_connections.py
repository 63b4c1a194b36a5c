"""Data sources and destinations: the list, the Authenticate flow, re-authentication, and the gate."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from credentials import catalog
from credentials.models import AuditEvent, Connection, Credential
from tests.factories import make_connection, make_credential, make_system_key

LIST = "/o/acme/connections/"
NEW_SOURCE = "/o/acme/connections/new/source/kissmetrics/"
CREATE = "/o/acme/settings/integrations/credentials/new/"


@pytest.fixture
def kissmetrics(organization, admin_user) -> Credential:
    return make_credential(
        organization,
        "Kissmetrics main",
        connector="kissmetrics",
        base_url="https://api.kissmetrics.io",
        secrets={"username": "km-user", "password": "km-password-secret"},
        created_by=admin_user,
    )


@pytest.fixture
def connection(organization, kissmetrics) -> Connection:
    return make_connection(organization, "Events", credential=kissmetrics)


# The gate ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, "/o/acme/connections/new/?kind=source", NEW_SOURCE])
def test_member_gets_403_and_outsider_404(member_client, outsider_client, url) -> None:
    assert member_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, organization) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_feature_flag_off_is_404(admin_client, organization) -> None:
    organization.api_credentials_enabled = False
    organization.save()
    assert admin_client.get(LIST).status_code == 404


def test_another_organizations_connection_is_not_found(admin_client, other_organization) -> None:
    theirs = make_connection(other_organization, "X", connector="kimp360")
    assert admin_client.get(f"/o/acme/connections/{theirs.pk}/reauthenticate/").status_code == 404
    assert admin_client.get(f"/o/globex/connections/{theirs.pk}/reauthenticate/").status_code == 404


def test_posts_need_the_csrf_token(admin_user, kissmetrics) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(NEW_SOURCE, {"_step": "name", "credential": kissmetrics.pk, "name": "Sneaky"})
    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_unknown_kind_or_connector_is_404(admin_client) -> None:
    assert admin_client.get("/o/acme/connections/new/sideways/kissmetrics/").status_code == 404
    assert admin_client.get("/o/acme/connections/new/source/nope/").status_code == 404


# The list ---------------------------------------------------------------------------------------


def test_list_shows_connections_in_a_table(admin_client, connection) -> None:
    html = admin_client.get(LIST).content.decode()
    assert "<table" in html
    assert "Events" in html and "Data source" in html and "Kissmetrics main" in html and "Active" in html
    assert "km-password-secret" not in html
    assert 'aria-current="page">Data sources and destinations</a>' in html


def test_empty_list_offers_new_source_and_destination(admin_client, organization) -> None:
    html = admin_client.get(LIST).content.decode()
    assert "No data sources or destinations yet" in html
    assert "New data source" in html and "New destination" in html


def test_new_lists_the_connector_tiles(admin_client) -> None:
    html = admin_client.get("/o/acme/connections/new/?kind=destination").content.decode()
    assert "<h1>New destination</h1>" in html
    for label in ("Kissmetrics", "Kimp360", "Kismet", "Kissflow", "HTTP API"):
        assert label in html
    assert 'href="/o/acme/connections/new/destination/kissflow/"' in html


# Authenticate → name → created ----------------------------------------------------------------------


def test_authenticate_shows_only_this_connectors_credentials(admin_client, kissmetrics, basic_credential) -> None:
    html = admin_client.get(NEW_SOURCE).content.decode()
    assert "Kissmetrics main" in html
    assert "Billing API" not in html  # an HTTP API credential
    assert 'type="radio" name="credential"' in html
    assert f"{CREATE}?connector=kissmetrics&amp;return_to=/o/acme/connections/new/source/kissmetrics/" in html


def test_continue_without_a_choice_says_what_to_do(admin_client, kissmetrics) -> None:
    response = admin_client.post(NEW_SOURCE, {"_step": "authenticate"})
    assert response.status_code == 422
    assert "Choose a credential, or add one with the Add Credential tile." in response.content.decode()


def test_another_organizations_credential_cannot_be_chosen(admin_client, other_organization) -> None:
    theirs = make_credential(other_organization, "Theirs", connector="kissmetrics", base_url="https://x.example")
    response = admin_client.post(NEW_SOURCE, {"_step": "name", "credential": theirs.pk, "name": "Stolen"})
    assert response.status_code == 422
    assert not Connection.objects.exists()


def test_the_whole_flow_creates_and_audits_the_connection(admin_client, kissmetrics) -> None:
    response = admin_client.post(NEW_SOURCE, {"_step": "authenticate", "credential": kissmetrics.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_name">Name</label>' in html
    assert "Authenticates with <strong>Kissmetrics main</strong>" in html
    response = admin_client.post(NEW_SOURCE, {"_step": "name", "credential": kissmetrics.pk, "name": "  Web events "})
    assert response.status_code == 302 and response.url == LIST
    connection = Connection.objects.get()
    assert (connection.name, connection.kind, connection.connector) == ("Web events", "source", "kissmetrics")
    assert connection.credential == kissmetrics
    event = AuditEvent.objects.get(action="connection.created")
    assert event.details["credential"] == "Kissmetrics main"
    html = admin_client.get(LIST).content.decode()
    assert "Data source “Web events” created." in html


def test_name_is_required(admin_client, kissmetrics) -> None:
    response = admin_client.post(NEW_SOURCE, {"_step": "name", "credential": kissmetrics.pk, "name": " "})
    assert response.status_code == 422
    assert 'aria-describedby="id_name-error"' in response.content.decode()


# The Add Credential tile reuses the credential overlay ----------------------------------------------


def _kissmetrics_post(**extra) -> dict:
    return {
        "connector": "kissmetrics",
        "name": "Kissmetrics new",
        "base_url": "https://api.kissmetrics.io",
        "content_type": "application/json",
        "auth_type": "basic",
        "auth_username": "me",
        "auth_password": "pw-secret-123",
        "_action": "save",
        **extra,
    }


def test_overlay_from_authenticate_carries_return_to(admin_client) -> None:
    response = admin_client.get(
        f"{CREATE}?connector=kissmetrics&return_to={NEW_SOURCE}", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert f'<input type="hidden" name="return_to" value="{NEW_SOURCE}">' in html
    assert "Basic Authentication" in html


def test_saving_from_authenticate_selects_the_new_tile(admin_client, kissmetrics) -> None:
    response = admin_client.post(CREATE, _kissmetrics_post(return_to=NEW_SOURCE), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#credential-choices"
    assert "credhub:close-dialog" in response["HX-Trigger-After-Settle"]
    html = response.content.decode()
    created = Credential.objects.get(name="Kissmetrics new")
    assert f'value="{created.pk}"' in html
    assert "checked" in html.split(f'value="{created.pk}"')[1].split(">")[0]
    assert "Kissmetrics main" in html  # the other tile is still there
    assert "Credential “Kissmetrics new” added and selected." in html
    assert "pw-secret-123" not in html


def test_saving_from_authenticate_without_javascript_redirects_back(admin_client) -> None:
    response = admin_client.post(CREATE, _kissmetrics_post(return_to=NEW_SOURCE))
    created = Credential.objects.get(name="Kissmetrics new")
    assert response.status_code == 302
    assert response.url == f"{NEW_SOURCE}?credential={created.pk}"
    html = admin_client.get(response.url).content.decode()
    assert f'id="choice-{created.pk}" value="{created.pk}"' in html


@pytest.mark.parametrize(
    "return_to", ["https://evil.example/", "//evil.example/x", "/o/globex/connections/", "/admin/"]
)
def test_foreign_return_to_falls_back_to_the_credentials_list(admin_client, return_to) -> None:
    response = admin_client.post(CREATE, _kissmetrics_post(return_to=return_to))
    assert response.status_code == 302
    assert response.url == "/o/acme/settings/integrations/credentials/"


# Deleting a credential revokes; re-authenticate restores ----------------------------------------------


def test_delete_revokes_then_reauthenticate_restores(admin_client, connection, kissmetrics, organization) -> None:
    confirm = admin_client.get(f"/o/acme/settings/integrations/credentials/{kissmetrics.pk}/delete/").content.decode()
    assert "Events" in confirm
    admin_client.post(f"/o/acme/settings/integrations/credentials/{kissmetrics.pk}/delete/")
    connection.refresh_from_db()
    assert connection.status == "revoked" and connection.credential is None
    html = admin_client.get(LIST).content.decode()
    assert "Revoked" in html
    assert "Credential “Kissmetrics main” was deleted." in html
    reauth = f"/o/acme/connections/{connection.pk}/reauthenticate/"
    assert f'href="{reauth}"' in html
    replacement = make_credential(
        organization, "Kissmetrics 2", connector="kissmetrics", base_url="https://api.kissmetrics.io"
    )
    page = admin_client.get(reauth).content.decode()
    assert "Re-authenticate “Events”" in page and "Kissmetrics 2" in page
    response = admin_client.post(reauth, {"credential": replacement.pk})
    assert response.status_code == 302
    connection.refresh_from_db()
    assert (connection.status, connection.credential, connection.revoked_reason) == ("active", replacement, "")
    assert AuditEvent.objects.filter(action="connection.reauthenticated").exists()
    html = admin_client.get(LIST).content.decode()
    assert "“Events” re-authenticated with “Kissmetrics 2”." in html
    assert '<span class="badge revoked">' not in html


def test_reauthenticate_offers_only_the_connectors_credentials(admin_client, connection, basic_credential) -> None:
    response = admin_client.post(
        f"/o/acme/connections/{connection.pk}/reauthenticate/", {"credential": basic_credential.pk}
    )
    assert response.status_code == 422
    connection.refresh_from_db()
    assert connection.credential.name == "Kissmetrics main"


# Tenancy: the remaining cross-organization paths -------------------------------------------------


def test_another_organizations_connection_and_credential_are_not_found(
    admin_client, organization, other_organization, basic_credential
) -> None:
    slug = organization.slug
    theirs = make_credential(other_organization, "Theirs", auth_type=catalog.NO_AUTH, base_url="https://x.example")
    their_connection = make_connection(other_organization, "Their feed", credential=theirs)
    for method in ("get", "post"):
        response = getattr(admin_client, method)(reverse("connection_reauthenticate", args=[slug, their_connection.pk]))
        assert response.status_code == 404
        response = getattr(admin_client, method)(reverse("credential_test", args=[slug, theirs.pk]))
        assert response.status_code == 404
    # Our connection cannot be re-authenticated with their credential.
    ours = make_connection(organization, "Feed", credential=basic_credential)
    response = admin_client.post(reverse("connection_reauthenticate", args=[slug, ours.pk]), {"credential": theirs.pk})
    assert response.status_code == 422
    ours.refresh_from_db()
    assert ours.credential == basic_credential
    # An overlay "returning" to their connection's Authenticate screen under our slug goes back to our list.
    return_to = reverse("connection_reauthenticate", args=[slug, their_connection.pk])
    response = admin_client.post(
        reverse("credential_create", args=[slug]),
        {
            "name": "New one",
            "base_url": "https://new.example",
            "content_type": "application/json",
            "auth_type": "none",
            "return_to": return_to,
        },
    )
    assert response.status_code == 302 and response.url == reverse("credential_list", args=[slug])


# A connection's page: details, Change credential, Rename, Delete ----------------------------------


def _detail(connection: Connection) -> str:
    return f"/o/acme/connections/{connection.pk}/"


def test_list_links_each_name_to_its_page(admin_client, connection) -> None:
    html = admin_client.get(LIST).content.decode()
    assert f'<a href="{_detail(connection)}">Events</a>' in html


def test_detail_shows_the_connection(admin_client, connection, organization) -> None:
    html = admin_client.get(_detail(connection)).content.decode()
    assert '<h1 id="connection-name">Events</h1>' in html
    assert "Data source" in html and "Kissmetrics" in html and "Kissmetrics main" in html
    assert 'src="/static/connectors/kissmetrics.svg"' in html
    assert '<span class="badge active">Active</span>' in html
    assert "None: it does not call credhub back" in html
    assert "just now" in html  # created and updated
    assert "km-password-secret" not in html
    assert f'href="/o/acme/connections/{connection.pk}/reauthenticate/">Change credential</a>' in html
    assert f'hx-get="/o/acme/connections/{connection.pk}/delete/"' in html
    assert 'aria-current="page">Data sources and destinations</a>' in html


def test_detail_names_the_access_key_and_a_deleted_credential(admin_client, organization, kissmetrics) -> None:
    access_key, _ = make_system_key(organization, "Warehouse sync")
    connection = make_connection(organization, "Warehouse", credential=kissmetrics, access_key=access_key)
    kissmetrics_url = f"/o/acme/settings/integrations/credentials/{kissmetrics.pk}/delete/"
    admin_client.post(kissmetrics_url)
    html = admin_client.get(_detail(connection)).content.decode()
    assert "Warehouse sync" in html and access_key.key_id in html
    assert "deleted credential “Kissmetrics main”" in html
    assert '<span class="badge revoked">Revoked</span>' in html
    assert f'href="/o/acme/connections/{connection.pk}/reauthenticate/">Re-authenticate</a>' in html


def test_change_credential_of_an_active_connection_is_audited(admin_client, connection, organization) -> None:
    other = make_credential(
        organization, "Kissmetrics 2", connector="kissmetrics", base_url="https://api.kissmetrics.io"
    )
    reauth = f"/o/acme/connections/{connection.pk}/reauthenticate/"
    page = admin_client.get(reauth).content.decode()
    assert "Change the credential of “Events”" in page
    assert ">Change credential</button>" in page
    assert f'href="{_detail(connection)}">← Events</a>' in page
    response = admin_client.post(reauth, {"credential": other.pk})
    assert response.status_code == 302 and response.url == _detail(connection)
    connection.refresh_from_db()
    assert (connection.status, connection.credential) == ("active", other)
    event = AuditEvent.objects.get(action="connection.credential_changed")
    assert (event.details["credential"], event.details["previous_credential"]) == ("Kissmetrics 2", "Kissmetrics main")
    assert event.target_id == str(connection.pk) and event.actor == "acme-admin"
    assert not AuditEvent.objects.filter(action="connection.reauthenticated").exists()
    html = admin_client.get(_detail(connection)).content.decode()
    assert "“Events” now authenticates with “Kissmetrics 2”." in html


def test_choosing_the_same_credential_changes_nothing(admin_client, connection, kissmetrics) -> None:
    response = admin_client.post(f"/o/acme/connections/{connection.pk}/reauthenticate/", {"credential": kissmetrics.pk})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action__startswith="connection.").exists()
    assert "“Events” already authenticates with “Kissmetrics main”." in admin_client.get(response.url).content.decode()


def test_rename_is_audited_and_an_empty_name_says_what_to_do(admin_client, connection) -> None:
    rename = f"/o/acme/connections/{connection.pk}/rename/"
    response = admin_client.post(rename, {"name": "   "})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-describedby="id_name-error"' in html and "Enter a name for the connection." in html
    response = admin_client.post(rename, {"name": "x" * 101})
    assert response.status_code == 422
    assert 'value="' + "x" * 101 + '"' in response.content.decode()  # what was typed is kept
    response = admin_client.post(rename, {"name": "  Web   events "})
    assert response.status_code == 302 and response.url == _detail(connection)
    connection.refresh_from_db()
    assert connection.name == "Web events"
    event = AuditEvent.objects.get(action="connection.renamed")
    assert event.details["old_name"] == "Events" and event.target_label == "Web events"
    assert "Renamed “Events” to “Web events”." in admin_client.get(response.url).content.decode()
    assert admin_client.get(rename).status_code == 405


def test_delete_confirms_then_deletes_and_audits(admin_client, connection) -> None:
    delete = f"/o/acme/connections/{connection.pk}/delete/"
    page = admin_client.get(delete).content.decode()  # the confirmation page, without JavaScript
    assert '<h1 id="confirm-dialog-title">Delete “Events”?</h1>' in page
    assert "Its credential “Kissmetrics main” is kept." in page
    assert f'href="{_detail(connection)}" data-close-dialog data-focus-first>Cancel</a>' in page
    partial = admin_client.get(delete, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith("<form") and '<h2 id="confirm-dialog-title">' in partial
    assert Connection.objects.filter(pk=connection.pk).exists()
    response = admin_client.post(delete)
    assert response.status_code == 302 and response.url == LIST
    assert not Connection.objects.filter(pk=connection.pk).exists()
    event = AuditEvent.objects.get(action="connection.deleted")
    assert (event.target_id, event.target_label, event.actor) == (str(connection.pk), "Events", "acme-admin")
    html = admin_client.get(LIST).content.decode()
    assert "Data source “Events” deleted." in html
    assert admin_client.get(_detail(connection)).status_code == 404


def _connection_urls(connection: Connection, slug: str = "acme") -> list[tuple[str, str]]:
    base = f"/o/{slug}/connections/{connection.pk}/"
    return [("get", base), ("get", f"{base}delete/"), ("post", f"{base}delete/"), ("post", f"{base}rename/")]


def test_member_gets_403_and_outsider_404_on_a_connections_page(member_client, outsider_client, connection) -> None:
    for method, url in _connection_urls(connection):
        assert getattr(member_client, method)(url, {"name": "X"}).status_code == 403
        assert getattr(outsider_client, method)(url, {"name": "X"}).status_code == 404
    connection.refresh_from_db()
    assert connection.name == "Events"
    assert not AuditEvent.objects.exists()


def test_another_organizations_connection_page_is_not_found(admin_client, other_organization) -> None:
    theirs = make_connection(other_organization, "Their feed", connector="kimp360")
    for slug in ("acme", "globex"):
        for method, url in _connection_urls(theirs, slug):
            assert getattr(admin_client, method)(url, {"name": "Mine now"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Their feed"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1%27%20OR%201=1", "%00"])
def test_bad_connection_ids_are_404_not_500(admin_client, connection, bad) -> None:
    # Not found (or, where the method is wrong anyway, not allowed): never a server error.
    for suffix in ("", "delete/", "rename/", "reauthenticate/"):
        assert admin_client.get(f"/o/acme/connections/{bad}/{suffix}").status_code in (404, 405)
        assert admin_client.post(f"/o/acme/connections/{bad}/{suffix}", {"name": "X"}).status_code in (404, 405)
    assert admin_client.get(f"/o/acme/connections/{bad}/").status_code == 404
    assert admin_client.post(f"/o/acme/connections/{bad}/delete/").status_code == 404
    bad_choice = admin_client.post(f"/o/acme/connections/{connection.pk}/reauthenticate/", {"credential": "nope"})
    assert bad_choice.status_code == 422
    assert admin_client.get(f"/o/acme/connections/{connection.pk}/reauthenticate/?credential=nope").status_code == 200


def test_connection_changes_need_the_csrf_token(admin_user, connection, organization) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    other = make_credential(organization, "Kissmetrics 2", connector="kissmetrics", base_url="https://x.example")
    assert client.post(f"/o/acme/connections/{connection.pk}/delete/").status_code == 403
    assert client.post(f"/o/acme/connections/{connection.pk}/rename/", {"name": "Sneaky"}).status_code == 403
    assert (
        client.post(f"/o/acme/connections/{connection.pk}/reauthenticate/", {"credential": other.pk}).status_code == 403
    )
    connection.refresh_from_db()
    assert (connection.name, connection.credential.name) == ("Events", "Kissmetrics main")
