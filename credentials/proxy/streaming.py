"""The upstream's body on its way to the caller: streamed in constant memory, and logged when it ends."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import requests
from django.conf import settings
from urllib3.exceptions import HTTPError as URLLib3Error

from credentials.actions.usage import Call, record_usage

logger = logging.getLogger("credhub.proxy")

CHUNK = 64 * 1024


def finish(call: Call, started: float) -> None:
    """Write the call's usage record, with its duration from ``started`` (a ``time.monotonic()``)."""
    call.duration_ms = int((time.monotonic() - started) * 1000)
    try:
        record_usage(call)
    except Exception:  # the caller has its answer already; a lost record is logged, never a 500
        logger.exception("A proxied call to credential %s: its usage record was not written.", call.credential.pk)


class UpstreamBody:
    """The upstream's bytes as it sent them (``decode_content=False``: Content-Length and Content-Encoding
    stay true), at most ``CREDHUB_PROXY_MAX_RESPONSE_BYTES``.

    :meth:`close` — called by the WSGI server when the answer ends, is cut short, or the caller goes away,
    whether or not a byte was sent — closes the upstream and writes the usage record, once.
    """

    def __init__(self, upstream: requests.Response, call: Call, started: float) -> None:
        self.upstream = upstream
        self.call = call
        self.started = started
        self.limit = settings.CREDHUB_PROXY_MAX_RESPONSE_BYTES
        self.complete = False
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        sent = 0
        try:
            for chunk in self.upstream.raw.stream(CHUNK, decode_content=False):
                if sent + len(chunk) > self.limit:
                    # The caller sees a body shorter than announced (or an unfinished chunked one).
                    self.call.error = "response_too_large"
                    rest = chunk[: self.limit - sent]
                    sent += len(rest)
                    self.call.response_bytes = sent
                    if rest:
                        yield rest
                    return
                sent += len(chunk)
                self.call.response_bytes = sent
                yield chunk
        except (URLLib3Error, OSError):
            self.call.error = "deadline" if self._past_deadline() else "upstream_broke"
            return
        if self._past_deadline():  # a body read until the connection closed ends early at the deadline
            self.call.error = "deadline"
            return
        self.complete = True

    def _past_deadline(self) -> bool:
        return time.monotonic() - self.started >= settings.CREDHUB_PROXY_TIMEOUT - 0.05

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.upstream.close()  # frees the connection and stops the deadline's timer
        if not self.complete and not self.call.error:
            self.call.error = "client_disconnected"
        finish(self.call, self.started)
