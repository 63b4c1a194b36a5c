"""`make bench`: runs every ``benchmarks/bench_*.py`` module's ``run()`` and prints its figures.

Benchmarks use a throwaway SQLite database of their own, never ``db.sqlite3``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="credhub-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(workdir) / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credhub.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    names = sys.argv[1:] or sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n== {name} ==", flush=True)
        module.run()


if __name__ == "__main__":
    main()
