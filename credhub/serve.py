"""`make serve`: start credhub as in production, on this machine.

Reads ``.env`` in the project root (or the file named by ``CREDHUB_ENV_FILE``) for variables the
environment does not set; refuses to start without ``SECRET_KEY``, ``CREDHUB_ENCRYPTION_KEYS`` and
``DATABASE_URL``; turns DEBUG off; runs the migrations, creates the cache table, collects the static
files and then becomes gunicorn (``gunicorn.conf.py``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIRED = ("SECRET_KEY", "CREDHUB_ENCRYPTION_KEYS", "DATABASE_URL")


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines (``#`` comments, optional ``export``, shell quoting); the environment wins."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        if not equals or not name.strip().isidentifier():
            raise SystemExit(f"{path}:{number}: expected NAME=value.")
        parsed = shlex.split(value, comments=True)
        values[name.strip()] = parsed[0] if parsed else ""
    return values


def production_environment(environ: dict[str, str]) -> dict[str, str]:
    env_file = Path(environ.get("CREDHUB_ENV_FILE") or BASE_DIR / ".env")
    file_values = read_env_file(env_file) if env_file.is_file() else {}
    env = {**file_values, **environ}
    missing = [name for name in REQUIRED if not env.get(name, "").strip()]
    if missing:
        raise SystemExit(
            f"credhub will not start in production without {', '.join(missing)}: set them in the environment "
            f"or in {env_file} (see the README's Production section)."
        )
    if env.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        print("make serve runs with DEBUG off; DEBUG from the environment is ignored.", file=sys.stderr)
    env["DEBUG"] = "0"
    return env


def main() -> None:
    env = production_environment(dict(os.environ))
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([*manage, *command], env=env, cwd=BASE_DIR, check=True)  # noqa: S603 (fixed argv)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    os.chdir(BASE_DIR)
    os.execve(gunicorn, [gunicorn, "--config", str(BASE_DIR / "gunicorn.conf.py")], env)  # noqa: S606


if __name__ == "__main__":
    main()
