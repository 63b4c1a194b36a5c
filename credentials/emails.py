"""Who credhub emails, and whether it can: the organization's admins, and a configured email backend.

Used by every email credhub sends (access key expiry warnings, an endpoint disabled automatically).
"""

from __future__ import annotations

from django.conf import settings

from credentials.models import Membership


def email_is_set_up() -> bool:
    """Whether there is somewhere to send email: ``EMAIL_URL``/``EMAIL_HOST``, or a backend other than SMTP
    (the console under ``make run``, locmem in tests). Django's default, SMTP on localhost, is not."""
    smtp = settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    return bool(settings.EMAIL_HOST) or not smtp


def admin_emails(organization_id) -> list[str]:
    """The email addresses of the organization's admins, sorted, without blanks or repeats."""
    admins = Membership.objects.filter(organization_id=organization_id, role=Membership.Role.ADMIN)
    return sorted({email for email in admins.values_list("user__email", flat=True) if email})
