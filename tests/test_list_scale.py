"""Every list screen costs the same number of queries for 10 rows as for 500, and its page links reach
the last row. (Times are measured in benchmarks/bench_lists.py, never here.)"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credentials import audit, keys
from credentials.models import AccessKey, AuditEvent, Connection, Credential

HTMX = {"HX-Request": "true"}


def _link(html: str, words: str) -> str | None:
    """The query string of the page link named ``words``, or None."""
    match = re.search(r'<a class="button" href="\?([^"]*)"[^>]*>' + re.escape(words) + "</a>", html)
    return match.group(1).replace("&amp;", "&") if match else None


def _queries(client, url: str, **extra) -> int:
    client.get(url, **extra)  # the session and the first-use writes happen once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


def _walk(client, url: str, words: str, pattern: str, **extra) -> list[str]:
    """Every name matching ``pattern`` on the page and on each page its ``words`` link leads to."""
    names: list[str] = []
    page_url = url
    for _ in range(100):
        html = client.get(page_url, **extra).content.decode()
        names += re.findall(pattern, html)
        query = _link(html, words)
        if query is None:
            return names
        page_url = f"{url.split('?')[0]}?{query}"
    raise AssertionError("the page links never end")


def _access_keys(organization, user, start: int, stop: int, system_every: int = 7) -> None:
    AccessKey.objects.bulk_create(
        AccessKey(
            organization=organization,
            owner=None if n % system_every == 0 else user,
            name=f"key {n:04d}",
            key_id=keys.new_access_key_id(),
            secret_hash=f"{n:064x}",
            system_generated=n % system_every == 0,
        )
        for n in range(start, stop)
    )


def test_access_keys_cost_the_same_for_10_and_500_and_page_to_the_last(admin_client, organization, admin_user):
    url = reverse("api_authentication", args=[organization.slug])
    _access_keys(organization, admin_user, 0, 10)
    ten = _queries(admin_client, url), _queries(admin_client, f"{url}?system=1&q=key")
    _access_keys(organization, admin_user, 10, 500)
    assert (_queries(admin_client, url), _queries(admin_client, f"{url}?system=1&q=key")) == ten

    shown = _walk(admin_client, url, "Next page", r'<th scope="row">(key \d{4})')
    assert shown == [f"key {n:04d}" for n in range(500) if n % 7]  # system-generated hidden
    # Shown, the system-generated keys come first, then the rest; the filter rides along every link.
    everything = _walk(admin_client, f"{url}?system=1", "Next page", r'<th scope="row">(key \d{4})')
    system = [f"key {n:04d}" for n in range(500) if n % 7 == 0]
    assert everything == system + [f"key {n:04d}" for n in range(500) if n % 7]


def test_access_keys_are_searched_by_name_or_key_id(admin_client, organization, admin_user) -> None:
    url = reverse("api_authentication", args=[organization.slug])
    _access_keys(organization, admin_user, 1, 60)
    target = AccessKey.objects.get(name="key 0043")
    html = admin_client.get(url, {"q": "key 004"}).content.decode()
    assert re.findall(r'<th scope="row">(key \d{4})', html) == [f"key {n:04d}" for n in range(40, 50) if n % 7]
    assert "8 access keys match “key 004”." in html
    html = admin_client.get(url, {"q": target.key_id.lower()}, headers={"HX-Target": "access-key-results", **HTMX})
    html = html.content.decode()
    assert html.lstrip().startswith('<div id="access-key-results">')
    assert re.findall(r'<th scope="row">(key \d{4})', html) == ["key 0043"]
    assert "No access keys match “nothing here”." in admin_client.get(url, {"q": "nothing here"}).content.decode()


def test_keyset_pages_walk_every_row_forward_and_back_where_names_and_times_repeat(organization) -> None:
    from datetime import UTC, datetime

    from django.http import QueryDict

    from credentials import paging
    from credentials.api_authentication_page import ACCESS_KEY_ORDERING

    at = datetime(2026, 1, 1, tzinfo=UTC)
    AccessKey.objects.bulk_create(
        AccessKey(
            organization=organization,
            name=f"key {n % 4}",  # four names, each on several keys, some with the same creation time
            key_id=keys.new_access_key_id(),
            secret_hash=f"{n:064x}",
            system_generated=n % 3 == 0,
            created_at=at.replace(minute=n % 2),
        )
        for n in range(23)
    )
    keys_in_order = list(
        AccessKey.objects.filter(organization=organization).order_by("-system_generated", "name", "created_at", "id")
    )
    queryset = AccessKey.objects.filter(organization=organization)
    pages = [paging.keyset_page(queryset, ACCESS_KEY_ORDERING, QueryDict(), 5)]
    while pages[-1].next_query:
        pages.append(paging.keyset_page(queryset, ACCESS_KEY_ORDERING, QueryDict(pages[-1].next_query), 5))
    assert [row for page in pages for row in page.rows] == keys_in_order
    back = [pages[-1]]
    while back[-1].previous_query:
        back.append(paging.keyset_page(queryset, ACCESS_KEY_ORDERING, QueryDict(back[-1].previous_query), 5))
    assert [page.rows for page in back] == [page.rows for page in reversed(pages)]


def _connections(organization, credential, start: int, stop: int) -> None:
    Connection.objects.bulk_create(
        Connection(
            organization=organization,
            kind="source",
            connector="http_api" if n % 2 else "kissmetrics",
            name=f"Connection {n:04d}",
            credential=credential,
            status="revoked" if n % 3 == 0 else "active",
        )
        for n in range(start, stop)
    )


def test_connections_cost_the_same_for_10_and_500_and_page_to_the_last(
    admin_client, organization, basic_credential
) -> None:
    url = reverse("connection_list", args=[organization.slug])
    filtered = f"{url}?status=revoked&connector=http_api&q=connection"
    _connections(organization, basic_credential, 0, 10)
    ten = _queries(admin_client, url), _queries(admin_client, filtered)
    _connections(organization, basic_credential, 10, 500)
    assert (_queries(admin_client, url), _queries(admin_client, filtered)) == ten

    assert _walk(admin_client, url, "Next page", r'<th scope="row"><a href="[^"]+">(Connection \d{4})') == [
        f"Connection {n:04d}" for n in range(500)
    ]
    assert _walk(admin_client, filtered, "Next page", r'<th scope="row"><a href="[^"]+">(Connection \d{4})') == [
        f"Connection {n:04d}" for n in range(500) if n % 2 and n % 3 == 0
    ]
    html = admin_client.get(url, {"q": "Connection 049"}, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="connection-results">')
    assert "10 connections match the filter." in html
    html = admin_client.get(url, {"q": "no such thing", "status": "bogus", "connector": "bogus"}).content.decode()
    assert "No connections match the filter." in html


def _credentials(organization, start: int, stop: int) -> None:
    Credential.objects.bulk_create(
        Credential(organization=organization, name=f"Credential {n:04d}", base_url="https://api.example.com")
        for n in range(start, stop)
    )


@pytest.mark.parametrize("connection_exists", [False, True], ids=["new", "reauthenticate"])
def test_authenticate_costs_the_same_for_10_and_500_and_pages_to_the_last(
    admin_client, organization, connection_exists
) -> None:
    _credentials(organization, 0, 10)
    if connection_exists:
        revoked = Connection.objects.create(
            organization=organization, kind="source", connector="http_api", name="Sync", status="revoked"
        )
        url = reverse("connection_reauthenticate", args=[organization.slug, revoked.pk])
    else:
        url = reverse("connection_create", args=[organization.slug, "source", "http_api"])
    ten = _queries(admin_client, url), _queries(admin_client, f"{url}?q=credential")
    _credentials(organization, 10, 500)
    assert (_queries(admin_client, url), _queries(admin_client, f"{url}?q=credential")) == ten
    shown = _walk(admin_client, url, "More credentials", r"<strong>(Credential \d{4})")
    assert shown == [f"Credential {n:04d}" for n in range(500)]
    html = admin_client.get(url, {"q": "credential 012"}, headers={"HX-Target": "credential-choices", **HTMX})
    html = html.content.decode()
    assert html.lstrip().startswith('<fieldset id="credential-choices"')
    assert re.findall(r"<strong>(Credential \d{4})", html) == [f"Credential {n:04d}" for n in range(120, 130)]


def test_a_chosen_credential_on_another_page_stays_in_sight(admin_client, organization) -> None:
    _credentials(organization, 0, 100)
    last = Credential.objects.get(name="Credential 0099")
    url = reverse("connection_create", args=[organization.slug, "source", "http_api"])
    html = admin_client.get(url, {"credential": str(last.pk)}).content.decode()
    assert re.findall(r"<strong>(Credential \d{4})", html)[0] == "Credential 0099"
    assert re.search(rf'value="{last.pk}"\s+aria-describedby="[^"]+"\s+checked', html)
    assert admin_client.get(url, {"credential": "not-a-uuid", "page": "x"}).status_code == 200


def test_audit_log_costs_the_same_for_10_and_500_events(admin_client, organization, admin_user) -> None:
    url = reverse("audit_log", args=[organization.slug])

    def record(count: int) -> None:
        AuditEvent.objects.bulk_create(
            AuditEvent(organization=organization, actor=admin_user.username, actor_user=admin_user, action=action)
            for action in ["credential.created", "access_key.created"] * (count // 2)
        )

    record(10)
    audit.record("credential.deleted", organization=organization, actor=audit.OPERATOR)
    filtered = f"{url}?action=credential.created&actor={admin_user.username}"
    ten = _queries(admin_client, url), _queries(admin_client, filtered)
    record(490)
    assert (_queries(admin_client, url), _queries(admin_client, filtered)) == ten
    # Walked to the end, the oldest event is on the last page; each event once.
    times = _walk(admin_client, url, "Older events", r'<time datetime="([^"]+)"')
    assert len(times) == 501


def test_audit_log_counts_up_to_a_thousand(admin_client, organization) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(organization=organization, actor="ops", action="credential.edited") for _ in range(1001)
    )
    html = admin_client.get(reverse("audit_log", args=[organization.slug])).content.decode()
    assert "More than 1,000 events." in html


def test_a_search_is_counted_from_its_page(admin_client, organization, admin_user) -> None:
    """A substring search matches through no index: its page tells how many it shows, exactly when they
    are all there is, rather than counting every row."""
    url = reverse("api_authentication", args=[organization.slug])
    _access_keys(organization, admin_user, 1, 60)
    html = admin_client.get(url, {"q": "key"}).content.decode()
    assert "More than 20 access keys match “key”." in html
    second = admin_client.get(f"{url}?{_link(html, 'Next page')}").content.decode()
    assert "access keys match “key”." in second and "More than" in second
    assert "1 access key matches “key 0041”." in admin_client.get(url, {"q": "key 0041"}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(url, {"q": "key"})
    assert not any("LIKE" in query["sql"] and "COUNT" in query["sql"].upper() for query in queries.captured_queries)


def test_hidden_system_keys_are_counted_up_to_a_thousand(admin_client, organization, admin_user, settings) -> None:
    from credentials import paging

    url = reverse("api_authentication", args=[organization.slug])
    _access_keys(organization, admin_user, 0, 15, system_every=1)  # every one system-generated
    assert "(15 system-generated keys hidden)" in admin_client.get(url).content.decode()
    limit = paging.COUNT_LIMIT
    paging.COUNT_LIMIT = 10
    try:
        assert "(More than 10 system-generated keys hidden)" in admin_client.get(url).content.decode()
    finally:
        paging.COUNT_LIMIT = limit
    assert "system-generated keys hidden" not in admin_client.get(url, {"system": "1"}).content.decode()


def test_row_links_are_the_urls_the_views_answer(organization) -> None:
    """A row's links are reversed once per view and organization, the row's UUID put in: the same URLs."""
    import uuid

    from django.urls import set_script_prefix

    from credentials.templatetags.credhub import row_url

    row_id = uuid.uuid4()
    for name in ("access_key_roll", "credential_usage", "connection_detail", "webhook_deliveries"):
        assert row_url(name, organization.slug, row_id) == reverse(name, args=[organization.slug, row_id])
        assert row_url(name, organization.slug, str(row_id)) == reverse(name, args=[organization.slug, row_id])
    # An organization whose slug spells the stand-in UUID still gets its own links.
    zero = str(uuid.UUID(int=0))
    assert row_url("access_key_roll", zero, row_id) == reverse("access_key_roll", args=[zero, row_id])
    set_script_prefix("/credhub/")
    try:
        assert row_url("access_key_roll", organization.slug, row_id).startswith("/credhub/o/")
    finally:
        set_script_prefix("/")


def test_a_row_menu_item_links_the_row_and_escapes_its_words(organization) -> None:
    import uuid

    from credentials.templatetags.menus import row_dialog_item

    row_id = uuid.uuid4()
    url = reverse("access_key_roll", args=[organization.slug, row_id])
    for given in (row_id, str(row_id)):
        item = row_dialog_item(
            "access_key_roll", organization.slug, given, "key-dialog", "Roll <key> & go", danger=True
        )
        assert item == (
            f'<li><a data-menuitem href="{url}" hx-get="{url}" hx-target="#key-dialog-body" '
            'data-opens-dialog="key-dialog" class="danger">Roll &lt;key&gt; &amp; go</a></li>'
        )
    other = uuid.uuid4()  # the next row: its own UUID, from the same cached pieces
    assert str(other) in row_dialog_item("access_key_roll", organization.slug, other, "key-dialog", "Roll key")
    assert str(row_id) not in row_dialog_item("access_key_roll", organization.slug, other, "key-dialog", "Roll key")


def test_connection_rows_name_kind_and_connector_as_their_choices_do() -> None:
    for kind in Connection.Kind.values:
        for connector in ("http_api", "kissmetrics"):
            row = Connection(kind=kind, connector=connector)
            assert (row.kind_label, row.connector_label) == (row.get_kind_display(), row.get_connector_display())
    retired = Connection(kind="source", connector="retired_connector")
    assert retired.connector_label == retired.get_connector_display() == "retired_connector"


def test_searches_by_part_of_a_name_can_read_an_index_on_postgresql(organization) -> None:
    """Each screen's search, as the ORM writes it (UPPER(column) LIKE), matches a trigram index's expression:
    PostgreSQL may read the matching rows instead of every row. SQLite has no such index."""
    searches = {
        "credentials_credential_name_trgm": Credential.objects.filter(name__icontains="billing"),
        "credentials_accesskey_name_trgm": AccessKey.objects.filter(name__icontains="deploy"),
        "credentials_accesskey_key_id_trgm": AccessKey.objects.filter(key_id__icontains="AKIA"),
        "credentials_connection_name_trgm": Connection.objects.filter(name__icontains="warehouse"),
    }
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm'")
            assert cursor.fetchall() == []
            return
        # Test tables hold a few rows, which PostgreSQL would rather read whole: leave it only bitmap scans,
        # so that the plan shows whether an index answers the search at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for index, search in searches.items():
            sql, params = search.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            assert index in "\n".join(row[0] for row in cursor.fetchall()), index
