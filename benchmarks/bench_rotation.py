"""Key rotation: re-encrypt N credentials under a new primary key; rows per second and peak memory."""

from __future__ import annotations

import json
import os
import time
import tracemalloc

ROWS = int(os.environ.get("BENCH_ROTATION_ROWS", "10000"))
BATCH_SIZE = 500


def run() -> None:
    from cryptography.fernet import Fernet
    from django.test import override_settings

    from credentials import rotation
    from credentials.encryption import Sealed
    from credentials.models import Credential, Organization

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = Fernet(old_key.encode())
    organization, _ = Organization.objects.get_or_create(slug="bench-rotation", defaults={"name": "Bench rotation"})
    Credential.objects.filter(organization=organization).delete()
    Credential.objects.bulk_create(
        [
            Credential(
                organization=organization,
                name=f"Credential {n:06d}",
                auth_type="basic",
                secrets=Sealed(old.encrypt(json.dumps({"username": f"u{n}", "password": f"p-{n}"}).encode()).decode()),
            )
            for n in range(ROWS)
        ],
        batch_size=1000,
    )

    with override_settings(CREDHUB_ENCRYPTION_KEYS=[new_key, old_key]):
        started = time.perf_counter()
        report = rotation.rotate_all(batch_size=BATCH_SIZE)
        seconds = time.perf_counter() - started
        print(f"rotate {report.rotated} secrets: {seconds:.2f} s, {report.rotated / seconds:,.0f} rows/s")

        started = time.perf_counter()
        again = rotation.rotate_all(batch_size=BATCH_SIZE)
        seconds = time.perf_counter() - started
        print(f"re-run (all already rotated, {again.already_current} skipped): {seconds:.2f} s")

        started = time.perf_counter()
        verified = rotation.verify_all(batch_size=BATCH_SIZE)
        seconds = time.perf_counter() - started
        print(f"verify {verified.checked} secrets: {seconds:.2f} s, {verified.checked / seconds:,.0f} rows/s")

    # Peak memory is measured on a second rotation (new key in front again) with tracemalloc on,
    # which slows Python down, so it is kept out of the timings above.
    newest_key = Fernet.generate_key().decode()
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[newest_key, new_key]):
        tracemalloc.start()
        report = rotation.rotate_all(batch_size=BATCH_SIZE)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"peak traced memory while rotating {report.rotated} rows (batch {BATCH_SIZE}): {peak / 1024 / 1024:.2f} MiB")
    Credential.objects.filter(organization=organization).delete()
