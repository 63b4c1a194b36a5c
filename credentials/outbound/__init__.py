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

The package, by concern: ``targets`` (which addresses may be reached), ``signers`` (the authentication
schemes), ``session`` (the credential's session and its guarantees), ``testing`` (Test connection) and
``errors``. Callers import from here.
"""

from __future__ import annotations

from credentials.outbound.errors import (
    CredentialUnreadable,
    OrganizationRequired,
    OutboundError,
    RefusedTarget,
    WrongEnvironment,
)
from credentials.outbound.session import (
    DEFAULT_PORTS,
    DEFAULT_TIMEOUT,
    LAST_USED_EVERY,
    MAX_REDIRECTS,
    USER_AGENT,
    CredentialSession,
    credential_secrets,
    origin,
    session_for,
)
from credentials.outbound.signers import (
    AWS4_HEADERS,
    HMAC_CLIENT_ID_HEADER,
    HMAC_HEADERS,
    HMAC_SIGNATURE_HEADER,
    HMAC_TIMESTAMP_HEADER,
    HMACSHA256Auth,
    hmac_canonical_query,
    hmac_signature,
    hmac_string_to_sign,
)
from credentials.outbound.targets import DeadlineAdapter, PublicTargetsAdapter, allowed_addresses, refusal_reason
from credentials.outbound.testing import (
    NOT_SENT_OUTCOMES,
    TestResult,
    test_connection,
    test_credential,
    test_organizations,
)

__all__ = [
    "AWS4_HEADERS",
    "DEFAULT_PORTS",
    "DEFAULT_TIMEOUT",
    "HMAC_CLIENT_ID_HEADER",
    "HMAC_HEADERS",
    "HMAC_SIGNATURE_HEADER",
    "HMAC_TIMESTAMP_HEADER",
    "LAST_USED_EVERY",
    "MAX_REDIRECTS",
    "NOT_SENT_OUTCOMES",
    "USER_AGENT",
    "CredentialSession",
    "CredentialUnreadable",
    "DeadlineAdapter",
    "HMACSHA256Auth",
    "OrganizationRequired",
    "OutboundError",
    "PublicTargetsAdapter",
    "RefusedTarget",
    "TestResult",
    "WrongEnvironment",
    "allowed_addresses",
    "credential_secrets",
    "hmac_canonical_query",
    "hmac_signature",
    "hmac_string_to_sign",
    "origin",
    "refusal_reason",
    "session_for",
    "test_connection",
    "test_credential",
    "test_organizations",
]
