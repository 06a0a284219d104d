"""Security headers on every response, and refusal of cross-site writes to the JSON API."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

BASE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, production: bool) -> Any:
    """A before-send hook: it sees every response, including Litestar's own 404s and 500s."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in BASE_HEADERS.items():
            headers[name] = value
        if production:
            headers["strict-transport-security"] = HSTS
        if "cache-control" not in headers:
            headers["cache-control"] = "no-store"

    return add_headers


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def same_origin_writes_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """CSRF defence for the JSON API, which cookie-authenticated scripts and other clients share.

    Browsers label every request with Sec-Fetch-Site and cross-site POSTs with Origin; scripts
    and command-line clients send neither and cannot ride a victim's cookies. So a write is
    refused when the browser says it comes from another site.
    """
    if connection.scope.get("method") not in UNSAFE_METHODS:
        return
    fetch_site = connection.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        raise PermissionDeniedException("Cross-site requests may not change data.")
    origin = connection.headers.get("origin")
    if origin is not None and fetch_site is None:
        expected = f"{connection.url.scheme}://{connection.headers.get('host', '')}"
        if origin != expected:
            raise PermissionDeniedException("Cross-site requests may not change data.")
