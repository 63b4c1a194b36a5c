"""Test connection: one request to a credential's Base URL, and what happened in words."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.utils import timezone

from credentials.models import Credential, Organization
from credentials.outbound.errors import OutboundError, RefusedTarget
from credentials.outbound.session import DEFAULT_TIMEOUT, session_for

logger = logging.getLogger(__name__)


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
