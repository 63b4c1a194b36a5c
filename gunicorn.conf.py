"""gunicorn's settings for credhub (`make serve`, and the systemd unit in the README).

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default 2 × CPUs + 1),
GUNICORN_THREADS (threads per worker, default 4), GUNICORN_TIMEOUT (seconds, default 60),
GUNICORN_MAX_REQUESTS (requests before a worker is replaced, default 20,000).
`kill -HUP <master pid>` (systemd: `systemctl reload credhub`) restarts the workers gracefully: new
workers start on the new code, old ones finish their requests within `graceful_timeout`.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "credhub.wsgi:application"
bind = [os.environ.get("BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Threads let a worker keep answering while one of its requests waits on Test connection's target.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# Longer than the outbound deadline (CREDHUB_OUTBOUND_DEADLINE, 25 s), so a slow target ends in a
# clear "timed out" rather than a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (staggered), so a slow leak cannot grow without bound. Not too often: a
# new worker costs about 0.4 s of CPU, and at 2,000 requests one was replaced every 2–4 s under load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 20000)
max_requests_jitter = max_requests // 10
# Requests larger than this are refused by gunicorn itself.
limit_request_line = 8190
limit_request_fields = 100

# The access log names the method, the path without its query string, the status, the size, the
# duration and the worker; never the query string (a mistaken key there would be logged) and no
# header value (Referer, User-Agent, Authorization).
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms pid=%(p)s'
# The same lines, built only from the atoms this format names (credhub/access_log.py).
logger_class = "credhub.access_log.AccessLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own X-Forwarded-* handling is off: Django decides (SECURE_PROXY_SSL_HEADER,
# CREDHUB_TRUSTED_PROXIES).
forwarded_allow_ips = ""
proxy_allow_ips = ""
# No control socket (one fixed path per user would be shared by every credhub on the machine); signals
# (HUP, TERM) control the server.
control_socket_disable = True
