"""credhub's access logger writes the lines gunicorn's own would, for credhub's format and any other."""

from __future__ import annotations

import datetime
import os
import runpy
import time
from types import SimpleNamespace

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from credhub.access_log import AccessLogger
from tests.production_server import ROOT

CREDHUB_FORMAT = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]


def _config(access_log_format: str) -> Config:
    cfg = Config()
    cfg.set("accesslog", os.devnull)
    cfg.set("access_log_format", access_log_format)
    return cfg


def _line(logger: glogging.Logger, cfg: Config) -> str:
    environ = {
        "REMOTE_ADDR": "192.0.2.7",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/credentials?token=chsk_leaked",
        "PATH_INFO": "/api/v1/credentials",
        "QUERY_STRING": "token=chsk_leaked",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": 'agent "secret"',
    }
    request = SimpleNamespace(headers=[("USER-AGENT", 'agent "secret"'), ("X-CLIENT-SECRET", "chsk_leaked")])
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "application/json")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(seconds=1, microseconds=234567))
    return cfg.access_log_format % logger.atoms_wrapper_class(atoms)


def test_credhubs_format_gives_gunicorns_line_without_the_query_string_or_a_header_value() -> None:
    cfg = _config(CREDHUB_FORMAT)
    line = _line(AccessLogger(cfg), cfg)
    assert line == _line(glogging.Logger(cfg), cfg)
    assert line.startswith("192.0.2.7 [") and f'"GET /api/v1/credentials" 200 1234 1234ms pid=<{os.getpid()}>' in line
    assert "chsk_leaked" not in line and "agent" not in line


@pytest.mark.parametrize(
    "access_log_format",
    ['%(h)s "%(r)s" %(s)s "%(a)s" %({user-agent}i)s %({content-type}o)s %(L)s', "%(q)s %(D)s %(T)s %(l)s %(u)s"],
)
def test_a_format_naming_other_atoms_gets_gunicorns_own(access_log_format: str) -> None:
    cfg = _config(access_log_format)
    assert _line(AccessLogger(cfg), cfg) == _line(glogging.Logger(cfg), cfg)


def _stamps_within_one_second(ours: AccessLogger, theirs: glogging.Logger) -> tuple[str, str]:
    while True:  # a second's boundary between the two reads reads again
        second = int(time.time())
        stamps = ours.now(), theirs.now()
        if int(time.time()) == second:
            return stamps


def test_the_time_is_gunicorns_and_moves_on_each_second() -> None:
    cfg = _config(CREDHUB_FORMAT)
    ours, theirs = AccessLogger(cfg), glogging.Logger(cfg)
    first = _stamps_within_one_second(ours, theirs)
    assert first[0] == first[1]
    time.sleep(1.05)
    later = _stamps_within_one_second(ours, theirs)
    assert later[0] == later[1] != first[0]
