"""`make bench`: runs every ``benchmarks/bench_*.py`` module's ``run()`` and prints its figures.

Benchmarks use a throwaway SQLite database of their own, never ``db.sqlite3``. When ``DATABASE_URL``
points at PostgreSQL, the modules named in ``ON_POSTGRESQL`` run there too, right after, in a
throwaway database of their own (``<name>_bench``, dropped afterwards), never the named database.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ONE_DATABASE = "--one-database"
# The figures that depend on the database; the others (HTTP, encryption) measure the same on both.
ON_POSTGRESQL = ("bench_keys", "bench_lists", "bench_proxy")


def _names(arguments: list[str]) -> list[str]:
    return arguments or sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_")
    )


def _run_here(names: list[str]) -> None:
    """Run the named modules against this process's DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credhub.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # a fresh database has no cache table yet
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n== {name} ==", flush=True)
        module.run()


def _postgresql_bench_database(url: str) -> tuple[str, str]:
    """The throwaway database's URL, and its name, next to the database ``url`` names."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'credhub'}_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _postgresql(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(statement)


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == [ONE_DATABASE]:
        _run_here(_names(arguments[1:]))
        return
    names = _names(arguments)
    given = os.environ.get("DATABASE_URL", "")
    workdir = tempfile.mkdtemp(prefix="credhub-bench-")
    sqlite = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"}
    print("==== SQLite ====", flush=True)
    subprocess.run([sys.executable, "-m", "benchmarks", ONE_DATABASE, *names], env=sqlite, check=True)
    if not given.startswith(("postgres://", "postgresql://")):
        print("\n(Set DATABASE_URL to a PostgreSQL database to measure there too.)")
        return
    both = [name for name in names if name in ON_POSTGRESQL]
    url, database = _postgresql_bench_database(given)
    print(f"\n==== PostgreSQL (database {database}) ====", flush=True)
    _postgresql(given, f'DROP DATABASE IF EXISTS "{database}"')
    _postgresql(given, f'CREATE DATABASE "{database}"')
    try:
        subprocess.run(
            [sys.executable, "-m", "benchmarks", ONE_DATABASE, *both],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
        )
    finally:
        _postgresql(given, f'DROP DATABASE IF EXISTS "{database}"')


if __name__ == "__main__":
    main()
