"""Using a credential: a ready ``requests`` session that authenticates as the credential says, and Test connection.

:func:`session_for` turns a stored credential into a :class:`CredentialSession`: its Content-Type and
extra headers, and its authentication — Basic, secret headers, Bearer token, AWS Signature V4
(``requests-aws4auth``), credhub's HMAC-SHA256 scheme (:class:`HMACSHA256Auth`, documented in the
README), or none. An org-specific credential is used on behalf of one of its organizations, with
that organization's own secrets.

What the session guarantees, because a credential store is trusted with production traffic:

- the credential goes only where it belongs: a request that carries its authentication is sent only to
  the origin (scheme, host, port) of its Base URL — or of an AWS4 credential's Base Endpoint —, so a
  mistake in an integration cannot hand the secret to another site;
- every request has a timeout (:data:`DEFAULT_TIMEOUT` unless the caller gives a shorter or longer one)
  per socket operation, and a total deadline (``CREDHUB_OUTBOUND_DEADLINE`` seconds, 25 by default) for
  connecting, TLS, the headers and the body together, so a server that trickles its answer cannot hold
  a worker (:mod:`credentials.deadlines`);
- a redirect to another host (or scheme, or port) carries no credential: the authentication headers
  and every secret header are removed before the request leaves (``requests`` itself would only
  remove ``Authorization``); a redirect on the same host is signed again for its new URL;
- the environment rule: test credentials run only where ``CREDHUB_ENVIRONMENT`` is ``test``,
  production credentials only where it is ``production``;
- loopback, link-local, private, multicast, reserved and unspecified addresses are refused unless
  ``CREDHUB_ALLOW_PRIVATE_TARGETS`` is on. The check happens when the connection is opened, on every
  address the host name resolves to, and the connection goes to an address that was checked, so a
  host name that resolves differently the second time (DNS rebinding) cannot slip through. Proxies
  from the environment are not used, so the check is about the real target;
- secrets are never logged and never appear in an error message.

:func:`test_credential` sends one request to the credential's Base URL and says, in words, what happened.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import socket
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth
from requests_aws4auth import AWS4Auth
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

from credentials import catalog, deadlines
from credentials.deadlines import DeadlineConnectionMixin
from credentials.encryption import DecryptionError, Sealed
from credentials.models import Credential, Organization

logger = logging.getLogger(__name__)

# (connect, read) seconds. Long enough for a slow API, short enough that a hung one frees the worker.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)
MAX_REDIRECTS = 5
USER_AGENT = "credhub"

# credhub's HMAC-SHA256 scheme: the three headers every signed request carries.
HMAC_CLIENT_ID_HEADER = "X-Credhub-Client-Id"
HMAC_TIMESTAMP_HEADER = "X-Credhub-Timestamp"
HMAC_SIGNATURE_HEADER = "X-Credhub-Signature"
HMAC_HEADERS = (HMAC_CLIENT_ID_HEADER, HMAC_TIMESTAMP_HEADER, HMAC_SIGNATURE_HEADER)
AWS4_HEADERS = ("X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token")


class OutboundError(Exception):
    """A credential cannot be used as asked. The message is for people and never holds a secret."""

    outcome = "error"


class WrongEnvironment(OutboundError):
    outcome = "wrong_environment"


class RefusedTarget(OutboundError):
    outcome = "refused_target"


class CredentialUnreadable(OutboundError):
    outcome = "unreadable"


class OrganizationRequired(OutboundError):
    outcome = "organization_required"


# Choosing the target ---------------------------------------------------------------------------


NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


def refusal_reason(address: str) -> str | None:
    """Why credhub refuses to connect to an IP address, or None when the address is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address: judge the IPv4 one.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal_reason(str(embedded))
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:  # e.g. carrier-grade NAT space, documentation ranges
        return "a reserved address"
    return None


def allowed_addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """Resolve ``host`` and return its ``getaddrinfo`` entries, or raise :class:`RefusedTarget`.

    Every address must be public: one private address among public ones is enough to refuse, since
    the connection could otherwise be steered to it.
    """
    entries = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_, sockaddr in entries:
        if reason := refusal_reason(sockaddr[0]):
            raise RefusedTarget(
                f"credhub does not send credentials to {host}: it resolves to {reason}. "
                "Use a public address (CREDHUB_ALLOW_PRIVATE_TARGETS allows private ones for development)."
            )
    return entries


class _CheckedConnectionMixin:
    """Open the socket only to an address that passed :func:`allowed_addresses`."""

    def _new_conn(self) -> socket.socket:
        host = self._dns_host
        try:
            entries = allowed_addresses(host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        last_error: Exception | None = None
        for *_, sockaddr in entries:
            # Connect to the checked address itself; TLS still verifies the certificate for self.host.
            self._dns_host = sockaddr[0]
            try:
                return super()._new_conn()
            except OSError as error:  # urllib3's connection errors are OSErrors: try the next address
                last_error = error
            finally:
                self._dns_host = host
        assert last_error is not None
        raise last_error


class _CheckedHTTPConnection(_CheckedConnectionMixin, DeadlineConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, DeadlineConnectionMixin, HTTPSConnection):
    pass


class _DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = type("_DeadlineHTTPConnection", (DeadlineConnectionMixin, HTTPConnection), {})


class _DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = type("_DeadlineHTTPSConnection", (DeadlineConnectionMixin, HTTPSConnection), {})


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class PublicTargetsAdapter(HTTPAdapter):
    """An adapter whose connections reach public addresses only."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose connections obey the request's total deadline (private targets allowed)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _DeadlineHTTPConnectionPool,
            "https": _DeadlineHTTPSConnectionPool,
        }


# Authentication --------------------------------------------------------------------------------


def _percent_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def hmac_canonical_query(query: str) -> str:
    """The query as credhub's HMAC scheme signs it: decoded pairs, sorted, RFC 3986 re-encoded, joined by ``&``."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(f"{_percent_encode(name)}={_percent_encode(value)}" for name, value in sorted(pairs))


def hmac_string_to_sign(method: str, path: str, query: str, timestamp: str, body: bytes) -> str:
    """Method, path, canonical query, timestamp and the body's SHA-256 (hex), one per line."""
    return "\n".join(
        [method.upper(), path or "/", hmac_canonical_query(query), timestamp, hashlib.sha256(body).hexdigest()]
    )


def hmac_signature(client_secret: str, string_to_sign: str) -> str:
    return hmac.new(client_secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


class HMACSHA256Auth(AuthBase):
    """credhub's HMAC-SHA256 request signing (the README's "HMAC-SHA256 scheme")."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._client_secret = client_secret

    def __repr__(self) -> str:
        return f"<HMACSHA256Auth client_id={self.client_id!r}>"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            raise OutboundError("HMAC-SHA256 signing needs the whole request body up front, not a stream.")
        url = urlsplit(request.url)
        timestamp = str(int(time.time()))
        to_sign = hmac_string_to_sign(request.method or "GET", url.path, url.query, timestamp, body)
        request.headers[HMAC_CLIENT_ID_HEADER] = self.client_id
        request.headers[HMAC_TIMESTAMP_HEADER] = timestamp
        request.headers[HMAC_SIGNATURE_HEADER] = hmac_signature(self._client_secret, to_sign)
        return request


class _SecretAuth(AuthBase):
    """Secret headers (Headers and Bearer types) applied per request, so the session's headers hold no secret."""

    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers

    def __repr__(self) -> str:
        return f"<secret headers {sorted(self._headers)}>"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(self._headers)
        return request


class _UTF8BasicAuth(HTTPBasicAuth):
    """HTTP Basic with UTF-8 credentials (RFC 7617), where requests would use Latin-1."""

    def __init__(self, username: str, password: str) -> None:
        super().__init__(username.encode(), password.encode())

    def __repr__(self) -> str:
        return "<Basic auth>"


# The session -----------------------------------------------------------------------------------

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
        adapter = DeadlineAdapter if allow_private_targets else PublicTargetsAdapter
        self.mount("https://", adapter())
        self.mount("http://", adapter())

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
            return _UTF8BasicAuth(secrets.get("username", ""), secrets.get("password", "")), ()
        case catalog.HEADERS:
            names = auth_settings.get("header_names") or list(secrets)
            headers = {name: secrets.get(name, "") for name in names}
            return _SecretAuth(headers), tuple(headers)
        case catalog.BEARER:
            key = auth_settings.get("key") or "Authorization"
            return _SecretAuth({key: f"Bearer {secrets.get('value', '')}"}), (key,)
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


# Test connection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    """What Test connection found, in words. Never holds a secret."""

    __test__ = False  # not a pytest test class

    ok: bool
    outcome: str
    message: str
    status_code: int | None = None
    organization: str | None = None  # the child organization's slug, for an org-specific credential

    @property
    def headline(self) -> str:
        if self.ok:
            return "Connection works."
        if self.outcome in NOT_SENT_OUTCOMES:
            return "Not tested."
        return "Connection failed."

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Outcomes where credhub refused before any request left.
NOT_SENT_OUTCOMES = frozenset(
    {
        "wrong_environment",
        "refused_target",
        "unreadable",
        "organization_required",
        "no_base_url",
        "invalid_url",
        "error",
    }
)


def _describe_status(status: int, host: str) -> tuple[bool, str, str]:
    if 200 <= status < 400:
        return True, "success", f"Connected: {host} answered {status}. The credential works."
    if status == 401:
        return (
            False,
            "unauthorized",
            f"{host} answered 401 Unauthorized: the credential is wrong, expired or revoked.",
        )
    if status == 403:
        return (
            False,
            "forbidden",
            f"{host} answered 403 Forbidden: the credential is valid but not allowed to do this.",
        )
    return False, "http_error", f"{host} answered {status}."


def test_credential(
    credential: Credential,
    organization: Organization | None = None,
    *,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
) -> TestResult:
    """Send one GET to the credential's Base URL (redirects not followed) and report what happened.

    Updates the credential's "last used" time whenever the upstream answered.
    """
    slug = organization.slug if organization is not None else None
    host = urlsplit(credential.base_url).hostname or credential.base_url or "The Base URL"
    if not credential.base_url:
        return TestResult(False, "no_base_url", "The credential has no Base URL to test.", organization=slug)
    try:
        session = session_for(credential, organization, timeout=timeout)
    except OutboundError as error:
        return TestResult(False, error.outcome, str(error), organization=slug)
    try:
        with session:
            response = session.get(credential.base_url, allow_redirects=False, stream=True)
            response.close()
    except RefusedTarget as error:
        result = TestResult(False, error.outcome, str(error), organization=slug)
    except requests.exceptions.SSLError:
        result = TestResult(
            False,
            "tls_error",
            f"TLS error: a secure connection to {host} could not be established (certificate or protocol).",
            organization=slug,
        )
    except requests.exceptions.Timeout:
        result = TestResult(False, "timeout", f"Timed out: {host} did not answer in time.", organization=slug)
    except requests.exceptions.ConnectionError:
        result = TestResult(
            False, "unreachable", f"Unreachable: credhub could not connect to {host}.", organization=slug
        )
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema):
        result = TestResult(False, "invalid_url", "The Base URL is not an http or https URL.", organization=slug)
    except OutboundError as error:
        result = TestResult(False, error.outcome, str(error), organization=slug)
    except UnicodeError:
        # http.client sends header values as Latin-1; its error would name the value, so it is not quoted.
        result = TestResult(
            False,
            "error",
            "The request could not be sent: a header value holds characters HTTP cannot carry.",
            organization=slug,
        )
    except requests.exceptions.RequestException as error:
        # Anything else requests refuses (a malformed header, say): named by its type, never its text.
        result = TestResult(
            False, "error", f"The request could not be sent ({type(error).__name__}).", organization=slug
        )
    else:
        ok, outcome, message = _describe_status(response.status_code, host)
        result = TestResult(ok, outcome, message, status_code=response.status_code, organization=slug)
        # "Last used" means the upstream answered: a refused, unreachable or timed-out test leaves it alone.
        Credential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
    logger.info("Tested credential %s: %s", credential.pk, result.outcome)
    return result


def test_organizations(credential: Credential) -> list[Organization | None]:
    """The organizations Test connection should run for: each row of an org-specific credential, else one run."""
    if not credential.org_specific:
        return [None]
    return [row.organization for row in credential.organization_credentials.select_related("organization")]


def test_connection(
    credential: Credential, organization_slug: str = ""
) -> list[tuple[Organization | None, TestResult]]:
    """Test connection as the tile, the command and the API run it: for each organization of an org-specific
    credential (or only the one whose slug is given), else once. Returns (organization, result) pairs.

    An org-specific credential without organization rows gets one result saying what is missing.
    """
    organizations = test_organizations(credential)
    if organization_slug:
        organizations = [o for o in organizations if o is not None and o.slug == organization_slug]
    if not organizations:
        return [(None, test_credential(credential))]
    return [(organization, test_credential(credential, organization)) for organization in organizations]


# Named like tests, but they are the product's functions: keep pytest from collecting them where imported.
test_credential.__test__ = False  # type: ignore[attr-defined]
test_organizations.__test__ = False  # type: ignore[attr-defined]
test_connection.__test__ = False  # type: ignore[attr-defined]
