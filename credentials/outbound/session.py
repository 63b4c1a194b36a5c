"""The session: a ready ``requests`` session that authenticates as a stored credential says, and sends
its authentication only to the origin it was entered for."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from requests.auth import AuthBase
from requests_aws4auth import AWS4Auth

from credentials import catalog, deadlines
from credentials.encryption import DecryptionError, Sealed
from credentials.models import Credential, Organization
from credentials.outbound.errors import (
    CredentialUnreadable,
    OrganizationRequired,
    RefusedTarget,
    WrongEnvironment,
)
from credentials.outbound.signers import AWS4_HEADERS, HMAC_HEADERS, HMACSHA256Auth, SecretHeadersAuth, UTF8BasicAuth
from credentials.outbound.targets import shared_adapter

logger = logging.getLogger(__name__)

# (connect, read) seconds. Long enough for a slow API, short enough that a hung one frees the worker.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)
MAX_REDIRECTS = 5
USER_AGENT = "credhub"


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port filled in for http and https."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


class CredentialSession(requests.Session):
    """A ``requests.Session`` for one credential: timeouts always, credentials never follow another host.

    Relative URLs (``session.get("/v1/items")``) are joined to the credential's Base URL.
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth_header_names: tuple[str, ...] = (),
        other_origins: tuple[str, ...] = (),
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        allow_private_targets: bool = False,
    ) -> None:
        super().__init__()
        self.base_url = base_url
        # Where a request carrying the credential may go. No Base URL means nowhere: fail closed.
        self.allowed_origins = {origin(url) for url in (base_url, *other_origins) if url}
        self.timeout = timeout
        # Seconds one request may take in all, redirects included (CREDHUB_OUTBOUND_DEADLINE by default).
        self.deadline = deadline if deadline is not None else settings.CREDHUB_OUTBOUND_DEADLINE
        # Everything authentication puts on a request; dropped on a redirect to another host.
        self.auth_header_names = tuple(dict.fromkeys(("Authorization", *auth_header_names)))
        self.max_redirects = MAX_REDIRECTS
        # Environment proxies and .netrc would route or authenticate around the target check.
        self.trust_env = False
        adapter = shared_adapter(allow_private_targets=allow_private_targets)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def close(self) -> None:
        """Nothing to close: the adapter and its kept-alive connections serve this process's next session."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if self.base_url and not urlsplit(url).scheme:
            url = urljoin(self.base_url.rstrip("/") + "/", url.lstrip("/")) if url else self.base_url
        return super().request(method, url, *args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if any(name in request.headers for name in self.auth_header_names):
            self._check_origin(request.url)
        if deadlines.current.get() is not None:  # a redirect: still within the first request's deadline
            return super().send(request, **kwargs)
        deadline = deadlines.Deadline(self.deadline)
        token = deadlines.current.set(deadline)
        deadline.start()
        try:
            response = super().send(request, **kwargs)
            if deadline.expired:  # a body read until the connection closed may have ended early
                response.close()
                raise requests.exceptions.ReadTimeout("deadline")
        except requests.exceptions.RequestException:
            if deadline.expired:
                raise requests.exceptions.ReadTimeout(
                    f"No complete answer within {deadline.seconds:g} seconds.", request=request
                ) from None
            deadline.cancel()
            raise
        except BaseException:
            deadline.cancel()
            raise
        finally:
            deadlines.current.reset(token)
        if kwargs.get("stream"):
            # The body is read later, at the caller's pace: the deadline runs until the response closes.
            close = response.close

            def close_and_cancel() -> None:
                deadline.cancel()
                close()

            response.close = close_and_cancel  # type: ignore[method-assign]
        else:
            deadline.cancel()
        return response

    def _check_origin(self, url: str) -> None:
        scheme, host, port = origin(url)
        if (scheme, host, port) in self.allowed_origins:
            return
        if scheme == "https" and port == 443 and ("http", host, 80) in self.allowed_origins:
            return  # the same host, upgraded to TLS
        raise RefusedTarget(
            f"credhub sends this credential only to the host of its Base URL, not to {host or 'that address'}."
        )

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in self.auth_header_names:
                prepared_request.headers.pop(name, None)
            logger.info(
                "Redirected to another host (%s): authentication headers removed.",
                urlsplit(prepared_request.url).hostname,
            )
            return
        # Same host: a signature covers the old URL, so sign the new request again.
        if isinstance(self.auth, (AWS4Auth, HMACSHA256Auth)):
            self.auth(prepared_request)


def _check_environment(credential: Credential) -> None:
    environment = settings.CREDHUB_ENVIRONMENT
    if credential.is_test and environment != "test":
        raise WrongEnvironment(
            f"“{credential.name}” is a test credential: test credentials are used only in the test "
            f"environment, and this installation is {environment}."
        )
    if not credential.is_test and environment != "production":
        raise WrongEnvironment(
            f"“{credential.name}” is a production credential: production credentials are used only in "
            f"production, and this installation is the {environment} environment."
        )


def credential_secrets(credential: Credential, organization: Organization | None = None) -> dict[str, str]:
    """The credential's decrypted secrets, or those of ``organization`` for an org-specific credential."""
    if credential.auth_type == catalog.NO_AUTH:
        return {}
    if credential.org_specific:
        if organization is None:
            raise OrganizationRequired(
                f"“{credential.name}” has separate authentication for each organization: choose the organization."
            )
        row = credential.organization_credentials.filter(organization=organization).first()
        if row is None:
            raise OrganizationRequired(f"“{credential.name}” has no authentication for {organization.name}.")
        sealed = row.secrets
    else:
        if organization is not None and organization.pk != credential.organization_id:
            if organization.parent_id != credential.organization_id:
                raise OrganizationRequired(f"“{credential.name}” cannot be used on behalf of {organization.name}.")
        sealed = credential.secrets
    if sealed is None:
        raise CredentialUnreadable(f"“{credential.name}” has no stored secrets: edit it and enter them again.")
    try:
        # A credential saved in this very process still holds the plain dict it was given.
        secrets = sealed.reveal() if isinstance(sealed, Sealed) else sealed
    except DecryptionError:
        raise CredentialUnreadable(
            f"The secrets of “{credential.name}” could not be decrypted with the configured keys: "
            "edit the credential and enter them again."
        ) from None
    return {str(name): str(value) for name, value in secrets.items()}


def _authentication(credential: Credential, secrets: dict[str, str]) -> tuple[AuthBase | None, tuple[str, ...]]:
    """The auth object for the credential's type and the header names it sets."""
    auth_settings = credential.auth_settings or {}
    match credential.auth_type:
        case catalog.BASIC:
            return UTF8BasicAuth(secrets.get("username", ""), secrets.get("password", "")), ()
        case catalog.HEADERS:
            names = auth_settings.get("header_names") or list(secrets)
            headers = {name: secrets.get(name, "") for name in names}
            return SecretHeadersAuth(headers), tuple(headers)
        case catalog.BEARER:
            key = auth_settings.get("key") or "Authorization"
            return SecretHeadersAuth({key: f"Bearer {secrets.get('value', '')}"}), (key,)
        case catalog.AWS4:
            auth = AWS4Auth(
                secrets.get("access_key", ""),
                secrets.get("secret_key", ""),
                auth_settings.get("region", ""),
                auth_settings.get("service", ""),
            )
            return auth, AWS4_HEADERS
        case catalog.HMAC_SHA256:
            return HMACSHA256Auth(secrets.get("client_id", ""), secrets.get("client_secret", "")), HMAC_HEADERS
        case _:
            return None, ()


def session_for(
    credential: Credential,
    organization: Organization | None = None,
    *,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    deadline: float | None = None,
) -> CredentialSession:
    """A ready session that authenticates every request as ``credential`` (on behalf of ``organization``).

    Each response received keeps the credential's "last used" time current (written at most once a minute).

    Raises :class:`WrongEnvironment`, :class:`OrganizationRequired` or :class:`CredentialUnreadable`
    (all :class:`OutboundError`) before anything is sent; a refused target raises :class:`RefusedTarget`
    when a request is made.
    """
    _check_environment(credential)
    secrets = credential_secrets(credential, organization)
    auth, header_names = _authentication(credential, secrets)
    endpoint = (credential.auth_settings or {}).get("endpoint", "") if credential.auth_type == catalog.AWS4 else ""
    session = CredentialSession(
        base_url=credential.base_url,
        auth_header_names=header_names,
        other_origins=(endpoint,) if endpoint else (),
        timeout=timeout,
        deadline=deadline,
        allow_private_targets=settings.CREDHUB_ALLOW_PRIVATE_TARGETS,
    )
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Content-Type"] = credential.content_type
    for name, value in credential.extra_headers or []:
        session.headers[name] = value
    session.auth = auth
    session.hooks["response"].append(_last_used_recorder(credential.pk))
    return session


LAST_USED_EVERY = timedelta(minutes=1)


def _last_used_recorder(credential_id: Any):
    """A response hook that keeps the credential's "last used" current, writing at most once a minute."""
    written: list[datetime] = []

    def record(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        now = timezone.now()
        if not written or now - written[-1] >= LAST_USED_EVERY:
            Credential.objects.filter(pk=credential_id).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
            ).update(last_used_at=now)
            written[:] = [now]
        return response

    return record
