"""The API's errors: each one answers ``{"error": reason, "detail": detail}``."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class APIError(Exception):
    """An error answered as ``{"error": reason, "detail": detail}``."""

    status = 400
    reason = "Bad Request"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class Unauthorized(APIError):
    status, reason = 401, "Unauthorized"


class Forbidden(APIError):
    status, reason = 403, "Forbidden"


class NotFound(APIError):
    status, reason = 404, "Not Found"


class TooManyFailures(APIError):
    status, reason = 429, "Too Many Requests"


class InvalidInput(APIError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Correct the fields listed in errors.")
        self.errors = errors


def error_response(status: int, reason: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": reason, "detail": detail, **extra}, status=status)
