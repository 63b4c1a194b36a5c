"""Create an organization with its first Organization Admin."""

from __future__ import annotations

import os
import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_slug
from django.views.decorators.debug import sensitive_variables

from credentials.actions.organizations import do_create_organization
from credentials.management.base import OPERATOR, OperatorCommand, bad_arguments
from credentials.models import Organization

PASSWORD_ENV = "CREDHUB_ADMIN_PASSWORD"


class Command(OperatorCommand):
    help = (
        "Create an organization and its first Organization Admin. The admin's password is read from "
        f"--password-stdin or the {PASSWORD_ENV} environment variable; otherwise a random one is generated "
        "and printed once. If the user already exists, they become the organization's admin and their "
        "password is left unchanged."
    )

    stealth_options = ("stdin",)  # tests hand in a stream for --password-stdin

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="URL name of the organization, e.g. acme")
        parser.add_argument("--name", required=True, help="display name, e.g. “Acme Inc.”")
        parser.add_argument("--admin-username", required=True, help="the first Organization Admin")
        parser.add_argument("--admin-email", default="", help="the admin's e-mail address (new users only)")
        parser.add_argument("--parent", metavar="SLUG", help="make it a child organization of this one")
        parser.add_argument("--account-domain", default="", help="the organization's Account domain")
        parser.add_argument(
            "--enable-api-credentials",
            action="store_true",
            help="turn on the API credentials management feature (the Credentials tab)",
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the admin's password from standard input"
        )

    @sensitive_variables("password")
    def handle(self, *args, **options) -> None:
        slug = options["slug"]
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise bad_arguments(f"“{slug}” is not a valid slug: use letters, digits, hyphens, underscores.") from error
        if len(slug) > Organization._meta.get_field("slug").max_length:
            raise bad_arguments("The slug is too long (60 characters at most).")
        if not options["name"].strip():
            raise bad_arguments("--name cannot be empty.")
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(f"An organization with the slug “{slug}” already exists.")
        parent = self.organization(options["parent"]) if options["parent"] else None

        User = get_user_model()
        username = options["admin_username"]
        user = User.objects.filter(username=username).first()
        password = generated = None
        if user is None:
            password = self._password(options)
            if password is None:
                password = generated = secrets.token_urlsafe(18)
            # Saved by the action, in the organization's transaction.
            user = User(
                username=User.normalize_username(username), email=User.objects.normalize_email(options["admin_email"])
            )
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise bad_arguments("The password is not accepted: " + " ".join(error.messages)) from error
            user.set_password(password)
        organization = do_create_organization(
            Organization(
                slug=slug,
                name=options["name"].strip(),
                parent=parent,
                account_domain=options["account_domain"],
                api_credentials_enabled=options["enable_api_credentials"],
            ),
            admin=user,
            actor=OPERATOR,
            parent=parent.slug if parent else None,
            api_credentials_enabled=options["enable_api_credentials"],
        )

        self.stdout.write(f"Created organization {organization.slug} (Account ID {organization.account_id}).")
        self.stdout.write(f"Organization Admin: {username}")
        if generated:
            self.stdout.write(f"Password (shown once): {generated}")
        elif password is None:
            self.stdout.write("The user already existed: their password is unchanged.")

    @sensitive_variables("password")
    def _password(self, options) -> str | None:
        if options["password_stdin"]:
            password = (options.get("stdin") or sys.stdin).readline().rstrip("\r\n")
            if not password:
                raise bad_arguments("--password-stdin was given but standard input held no password.")
            return password
        return os.environ.get(PASSWORD_ENV) or None
