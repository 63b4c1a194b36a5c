"""The Django admin for operators: every model, metadata only.

No secret, hash or ciphertext is ever shown or editable here: encrypted ``secrets`` columns and
``secret_hash`` columns are left out of every form, list and inline, so no admin form can write a
masked value over a stored secret (the field is simply not there). Every change made here goes through
``credentials/actions/`` and is recorded in the audit log with the operator as actor.
"""

from __future__ import annotations

from django.contrib import admin

from credentials.admin import audit, credentials, keys, organizations, users, webhooks

admin.site.site_header = "credhub operators"
admin.site.site_title = "credhub admin"
admin.site.index_title = "Organizations, credentials and keys"

__all__ = ["audit", "credentials", "keys", "organizations", "users", "webhooks"]
