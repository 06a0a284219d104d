"""Security headers on every response, and refusal of cross-site writes to the JSON API."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from litestar.connection import ASGIConnection
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


_NO_STORE = (b"cache-control", b"no-store")


def encoded_security_headers(*, production: bool) -> list[tuple[bytes, bytes]]:
    """BASE_HEADERS (and HSTS in production) as ASGI header pairs, encoded once."""
    pairs = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in BASE_HEADERS.items()
    ]
    if production:
        pairs.append((b"strict-transport-security", HSTS.encode("latin-1")))
    return pairs


def header_securer(
    *, production: bool
) -> Callable[[Iterable[tuple[bytes, bytes]]], list[tuple[bytes, bytes]]]:
    """A function giving response headers with ours set: any earlier value of those names is
    replaced, and `cache-control: no-store` is added unless the response chose its own caching.
    """
    ours = encoded_security_headers(production=production)
    names = frozenset(name for name, _ in ours)

    def secure(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        kept = []
        caching = False
        for name, value in headers:
            lowered = name.lower()
            if lowered in names:
                continue
            if lowered == b"cache-control":
                caching = True
            kept.append((name, value))
        kept.extend(ours)
        if not caching:
            kept.append(_NO_STORE)
        return kept

    return secure


def security_headers(*, production: bool) -> Any:
    """A before-send hook: it sees every response, including Litestar's own 404s and 500s."""
    secure = header_securer(production=production)

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = secure(message.get("headers") or ())

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
