"""What every operator command shares: exit codes fit for scripts, organization look-up, JSON output.

Exit codes: 0 success, 1 failure (nothing found, a secret that does not decrypt, ...), 2 bad
arguments — the same 2 that argparse uses, also when a command is called from code.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credentials.audit import OPERATOR
from credentials.models import Organization

BAD_ARGUMENTS = 2

__all__ = ["BAD_ARGUMENTS", "OPERATOR", "OperatorCommand", "bad_arguments"]


def bad_arguments(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_ARGUMENTS)


class OperatorCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        argparse_error = parser.error

        def error(message: str) -> None:
            # From the command line argparse prints usage and exits 2; from call_command it would
            # raise a CommandError with exit code 1, so say 2 there too.
            if parser.called_from_command_line:
                argparse_error(message)
            raise bad_arguments(f"Error: {message}")

        parser.error = error  # type: ignore[method-assign]
        return parser

    def organization(self, slug: str) -> Organization:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with the slug “{slug}”.")
        return organization

    def write_json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, indent=2, default=str))
