"""Trigram indexes for the searches by part of a name on PostgreSQL (Authenticate's credentials, access keys
by name or ID, connections): a search reads the rows that match instead of every row of the organization.

pg_trgm is a trusted extension (PostgreSQL 13 and later), which the database's owner may create. Where it
cannot be created the migration says so and goes on: the searches still work, reading every row. SQLite
has no such index.
"""

import sys

from django.db import DatabaseError, migrations, transaction

# (model, field): the columns the screens search with `icontains`, which PostgreSQL runs as UPPER(column) LIKE.
SEARCHED = [("Credential", "name"), ("AccessKey", "name"), ("AccessKey", "key_id"), ("Connection", "name")]


def _columns(apps):
    for model_name, field_name in SEARCHED:
        model = apps.get_model("credentials", model_name)
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        yield table, column, f"{table}_{column}_trgm"


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint: a refusal is not fatal
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0]
        sys.stderr.write(
            f"\n  The pg_trgm extension could not be created ({reason}): searches by name read every row.\n"
            "  To add their indexes, create it as a superuser (CREATE EXTENSION pg_trgm;), then run\n"
            "  `manage.py migrate credentials 0009` and `manage.py migrate`.\n"
        )
        return
    for table, column, index in _columns(apps):
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, index in _columns(apps):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [("credentials", "0009_proxy_call_count")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
