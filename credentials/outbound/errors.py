"""What goes wrong when a credential is used: each error's message is for people and never holds a secret."""

from __future__ import annotations


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
