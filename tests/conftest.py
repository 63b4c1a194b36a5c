"""Shared fixtures: an organization with two children, its admin and member, and an outsider organization."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from credentials import keys
from credentials.models import Credential, Membership, Organization
from tests.factories import make_credential

PASSWORD = "test-password-123"


@pytest.fixture
def organization(db) -> Organization:
    acme = Organization.objects.create(
        name="Acme", slug="acme", api_credentials_enabled=True, account_domain="acme.test"
    )
    Organization.objects.create(name="Acme East", slug="acme-east", parent=acme)
    Organization.objects.create(name="Acme West", slug="acme-west", parent=acme)
    return acme


@pytest.fixture
def other_organization(db) -> Organization:
    return Organization.objects.create(name="Globex", slug="globex", api_credentials_enabled=True)


def _user(django_user_model, username: str, organization: Organization, role: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def admin_user(django_user_model, organization):
    return _user(django_user_model, "acme-admin", organization, Membership.Role.ADMIN)


@pytest.fixture
def member_user(django_user_model, organization):
    return _user(django_user_model, "acme-member", organization, Membership.Role.MEMBER)


@pytest.fixture
def outsider_user(django_user_model, other_organization):
    return _user(django_user_model, "globex-admin", other_organization, Membership.Role.ADMIN)


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def member_client(member_user) -> Client:
    client = Client()
    client.force_login(member_user)
    return client


@pytest.fixture
def outsider_client(outsider_user) -> Client:
    client = Client()
    client.force_login(outsider_user)
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database gets the cache table too, as `make` targets make it with createcachetable."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def fresh_failure_counts(request, django_db_blocker):
    """Failure counters and sign-in throttling live in the cache (a database table): each test starts from zero."""
    if "django_db_setup" not in request.fixturenames:
        yield  # a test without the database has no cache to clear
        return
    with django_db_blocker.unblock():
        cache.clear()
    yield
    with django_db_blocker.unblock():
        cache.clear()


@pytest.fixture
def admin_key(organization, admin_user) -> tuple:
    """An access key of the Organization Admin, as (AccessKey, secret)."""
    return keys.create_access_key(organization, "CI", owner=admin_user)


@pytest.fixture
def member_key(organization, member_user) -> tuple:
    """An access key of the member, as (AccessKey, secret)."""
    return keys.create_access_key(organization, "Reports", owner=member_user)


@pytest.fixture
def basic_credential(organization, admin_user) -> Credential:
    return make_credential(organization, "Billing API", description="Invoices", created_by=admin_user)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
