"""Request dependencies: the app's service and API-key authentication."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from fastapi import Request

from api.errors import ApiError
from api.service import Service


def service_of(request: Request) -> Service:
    return request.app.state.service


def authorized(request: Request) -> None:
    """401 unless the request carries a configured key (when keys are configured).

    `RequestGuard` already refused such requests before their body was read; this
    dependency keeps each protected route safe on its own.
    """
    check_key(request.headers.get("authorization"), service_of(request).key_digests)


def check_key(authorization: str | None, digests: Sequence[str]) -> None:
    """Raise a 401 `ApiError` unless `authorization` is "Bearer <key>" with a configured key.

    Keys are stored as sha256 digests; the digest of the presented key is compared with
    each configured one in constant time. No digests configured: every request passes.
    """
    if not digests:
        return
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(
            401, "unauthorized", "send an API key as 'Authorization: Bearer <key>'", {"WWW-Authenticate": "Bearer"}
        )
    digest = hashlib.sha256(key.strip().encode()).hexdigest()
    if not any(hmac.compare_digest(digest, known) for known in digests):
        raise ApiError(401, "unauthorized", "the API key is not valid", {"WWW-Authenticate": "Bearer"})
