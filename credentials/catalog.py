"""The connector catalog and the authentication types: what a credential of each kind asks for.

Plain data, no database. A connector type is a preset over the generic credential: its label, tile
initials, default Base URL, the authentication types it allows, and its own labels for the secret
fields. Adding a connector is adding one entry to ``CONNECTORS``.

Fields are of two sorts. *Settings* are not secret (a header name, an AWS region): they live on the
credential and are shown back when editing. *Secrets* are encrypted at rest, never shown again, and
when a credential is org-specific each organization row carries its own set of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import TextChoices  # an enum with labels: no database is touched

# Authentication type codes, stored on Credential.auth_type.
HEADERS = "headers"
BASIC = "basic"
BEARER = "bearer"
AWS4 = "aws4"
HMAC_SHA256 = "hmac_sha256"
NO_AUTH = "none"


@dataclass(frozen=True)
class AuthField:
    """One input of an authentication type."""

    name: str
    label: str
    secret: bool = True
    default: str = ""
    help_text: str = ""
    max_length: int = 4096
    # Travels in a request header as typed, so it must be Latin-1 (Basic sends UTF-8 base64; the
    # other secrets only sign).
    in_header: bool = False
    # An identifier (a username, a client or access key ID) names, it does not prove: stored with the
    # secrets and never shown back, but typed in the clear rather than masked.
    identifier: bool = False
    placeholder: str = ""


@dataclass(frozen=True)
class AuthType:
    code: str
    label: str
    fields: tuple[AuthField, ...] = ()
    help_text: str = ""
    # Headers authentication repeats its Key/Value pair: one or more secret headers.
    repeats_pairs: bool = False
    # The request headers this type always sets (besides those its settings name, see headers_set_by).
    sets_headers: tuple[str, ...] = ()

    @property
    def settings_fields(self) -> tuple[AuthField, ...]:
        return tuple(f for f in self.fields if not f.secret)

    @property
    def secret_fields(self) -> tuple[AuthField, ...]:
        return tuple(f for f in self.fields if f.secret)


AUTH_TYPES: dict[str, AuthType] = {
    t.code: t
    for t in (
        AuthType(
            HEADERS,
            "Headers",
            fields=(
                AuthField("key", "Key", secret=False, max_length=256, in_header=True),
                AuthField("value", "Value", in_header=True),
            ),
            help_text="Provide a secret Key and a Value that your server will recognize.",
            repeats_pairs=True,
        ),
        AuthType(
            BASIC,
            "Basic",
            fields=(
                AuthField("username", "Username", max_length=1024, identifier=True),
                AuthField("password", "Password"),
            ),
            help_text="A username and password supplied to your server in HTTP basic auth format.",
            sets_headers=("Authorization",),
        ),
        AuthType(
            BEARER,
            "Token (Bearer Auth)",
            fields=(
                AuthField("key", "Key", secret=False, default="Authorization", max_length=256, in_header=True),
                AuthField("value", "Value", in_header=True),
            ),
            help_text="Each request carries the token as “Bearer <Value>” in the header named by Key.",
        ),
        AuthType(
            AWS4,
            "AWS4",
            fields=(
                AuthField(
                    "access_key", "Access Key", max_length=256, in_header=True, identifier=True, placeholder="AKIA…"
                ),
                AuthField("secret_key", "Secret Key"),
                AuthField(
                    "region",
                    "AWS Region",
                    secret=False,
                    max_length=64,
                    in_header=True,
                    placeholder="eu-west-1",
                    help_text="The region code the service runs in, as AWS writes it.",
                ),
                AuthField(
                    "service",
                    "AWS Service",
                    secret=False,
                    max_length=64,
                    in_header=True,
                    placeholder="execute-api",
                    help_text="The service's signing name: execute-api for API Gateway, s3, es …",
                ),
                AuthField(
                    "endpoint",
                    "Base Endpoint",
                    secret=False,
                    max_length=2048,
                    placeholder="https://abc123.execute-api.eu-west-1.amazonaws.com",
                    help_text="The AWS endpoint the integration is signed for. Requests still go to the Base URL.",
                ),
            ),
            help_text="Requests are signed with AWS Signature Version 4.",
            sets_headers=("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"),
        ),
        AuthType(
            HMAC_SHA256,
            "HMAC-SHA256",
            fields=(
                AuthField("client_id", "Client ID", max_length=1024, in_header=True, identifier=True),
                AuthField("client_secret", "Client Secret"),
            ),
            help_text="Each request carries the Client ID, a timestamp and an HMAC-SHA256 signature.",
            sets_headers=("X-Credhub-Client-Id", "X-Credhub-Timestamp", "X-Credhub-Signature"),
        ),
        AuthType(NO_AUTH, "No Authentication", help_text="Nothing is needed beyond the headers."),
    )
}


@dataclass(frozen=True)
class Connector:
    """A connector type: a preset over the generic HTTP credential."""

    code: str
    label: str
    initials: str
    auth_types: tuple[str, ...]
    default_base_url: str = ""
    # Labels that replace the generic ones, by field name (e.g. Kimp360 calls its value "API Key").
    labels: dict[str, str] = field(default_factory=dict)
    # Header names that the connector fixes: a Headers credential of this connector sends exactly these.
    fixed_headers: tuple[str, ...] = ()
    # Fixed headers that carry an identifier (a client ID): typed in the clear, like AuthField.identifier.
    identifier_headers: tuple[str, ...] = ()
    # Kissflow's Base URL is built from the account domain: "https://{account_domain}".
    base_url_from_account_domain: bool = False
    auth_section_title: str = ""
    docs_hint: str = ""

    def label_for(self, field_name: str, default: str) -> str:
        return self.labels.get(field_name, default)

    def masks(self, header_name: str) -> bool:
        """Whether a secret header's value is masked while typed (an identifier header's is not)."""
        return header_name not in self.identifier_headers

    @property
    def is_generic(self) -> bool:
        return self.code == HTTP_API


HTTP_API = "http_api"

CONNECTORS: dict[str, Connector] = {
    c.code: c
    for c in (
        Connector(
            "kissmetrics",
            "Kissmetrics",
            "KM",
            auth_types=(BASIC,),
            default_base_url="https://api.kissmetrics.io",
            auth_section_title="Basic Authentication",
            docs_hint="The same username and password you use to sign in to Kissmetrics.",
        ),
        Connector(
            "kimp360",
            "Kimp360",
            "K3",
            auth_types=(HEADERS,),
            default_base_url="https://api.kimp360.com",
            labels={"x-api-key": "API Key"},
            fixed_headers=("x-api-key",),
            auth_section_title="API Key",
            docs_hint="Sent in the x-api-key header.",
        ),
        Connector(
            "kismet",
            "Kismet",
            "KI",
            auth_types=(HEADERS,),
            default_base_url="https://api.kismethealth.com",
            labels={"X-Client-ID": "Client ID", "X-Client-Secret": "Client Secret"},
            fixed_headers=("X-Client-ID", "X-Client-Secret"),
            identifier_headers=("X-Client-ID",),
            auth_section_title="Client credentials",
            docs_hint="Sent in the X-Client-ID and X-Client-Secret headers.",
        ),
        Connector(
            "kissflow",
            "Kissflow",
            "KF",
            auth_types=(HEADERS,),
            labels={"X-Access-Key-Id": "Access Key ID", "X-Access-Key-Secret": "Access Key Secret"},
            fixed_headers=("X-Access-Key-Id", "X-Access-Key-Secret"),
            identifier_headers=("X-Access-Key-Id",),
            base_url_from_account_domain=True,
            auth_section_title="Access key",
            docs_hint="Sent in the X-Access-Key-Id and X-Access-Key-Secret headers.",
        ),
        Connector(
            HTTP_API,
            "HTTP API",
            "API",
            auth_types=(HEADERS, BASIC, BEARER, AWS4, HMAC_SHA256, NO_AUTH),
            auth_section_title="Authentication",
        ),
    )
}


class ContentType(TextChoices):
    """The Content-Type a credential's requests declare: the one list, for the model, forms and the API."""

    JSON = "application/json", "JSON"
    XML = "application/xml", "XML"
    FORM = "application/x-www-form-urlencoded", "form-urlencoded"


CONTENT_TYPES: dict[str, str] = dict(ContentType.choices)


def connector(code: str) -> Connector:
    """The connector for a code; unknown codes raise KeyError."""
    return CONNECTORS[code]


def headers_set_by(auth_type: str, auth_settings: dict | None) -> set[str]:
    """The header names (lower-cased) that a credential's authentication sets, so no extra header may."""
    auth = AUTH_TYPES.get(auth_type)
    if auth is None:
        return set()
    names = set(auth.sets_headers)
    auth_settings = auth_settings if isinstance(auth_settings, dict) else {}
    if auth.repeats_pairs:
        names.update(str(name) for name in auth_settings.get("header_names") or ())
    elif auth_type == BEARER:
        names.add(str(auth_settings.get("key") or "Authorization"))
    return {name.lower() for name in names}
