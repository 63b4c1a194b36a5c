#!/usr/bin/env python
from __future__ import annotations

import os
import sys
from pathlib import Path

from dotenv import load_dotenv

if __name__ == "__main__":
    # `make run` writes local.env (DEBUG, PORT, ...) so that commands run by hand in the demo checkout find
    # the same settings. The real environment wins; production sets its own and has no such file.
    load_dotenv(Path(__file__).resolve().parent / "local.env", override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credhub.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
