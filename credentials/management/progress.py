"""A plain-text progress bar on standard error, for commands that walk every stored secret."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


class ProgressBar:
    """Redraws one line in a terminal; elsewhere (logs, pipes) writes a line per tenth of the work."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper, label: str, enabled: bool = True) -> None:
        self.stream = stream
        self.label = label
        self.enabled = enabled
        self.interactive = stream.isatty()
        self._last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        fraction = done / total if total else 1.0
        filled = int(self.WIDTH * fraction)
        line = f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} ({fraction:.0%})"
        if self.interactive:
            self.stream.write("\r" + line, ending="\n" if done >= total else "")
        elif int(fraction * 10) > self._last_tenth:
            self._last_tenth = int(fraction * 10)
            self.stream.write(line)
        self.stream.flush()
