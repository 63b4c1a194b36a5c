"""Re-encrypting every stored secret under the primary key."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from credentials import audit, rotation


def do_rotate_encryption_key(*, batch_size: int, progress: Any, actor: Any) -> rotation.Report:
    """Re-encrypt every secret under the primary key; audits ``encryption.rotated`` with the counts.

    The only action that is not one transaction: each batch commits on its own so that an interrupted
    run keeps its progress and can be run again. A batch changes ciphertexts, never what they decrypt
    to, so a failed audit write leaves every secret as it was to a reader.
    """
    report = rotation.rotate_all(batch_size=batch_size, progress=progress)
    with transaction.atomic():
        audit.record(
            "encryption.rotated",
            organization=None,
            actor=actor,
            checked=report.checked,
            rotated=report.rotated,
            already_current=report.already_current,
            unreadable=len(report.unreadable),
        )
    return report
