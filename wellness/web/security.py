"""Security headers on every response, the JSON API's CSRF defence (cross-site writes refused,
browsers' own writes carry the token), and the CSRF token check for the routes that read their
own multipart bodies."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from secrets import compare_digest
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.types import Empty, Message, Scope
from litestar.utils.scope.state import ScopeState

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
CROSS_SITE_REFUSAL = "Cross-site requests may not change data."
# Litestar's CSRF middleware refuses in these words (with no class of its own to tell it by);
# `check_form_token` refuses in the same ones.
CSRF_REFUSAL = "CSRF token verification failed"


def csrf_refusal(exc: Exception) -> str | None:
    """What a write refused by a CSRF defence was refused for ("cross-site", or "no valid CSRF
    token"), from the refusal; None for any other exception."""
    if not isinstance(exc, PermissionDeniedException):
        return None
    return {CROSS_SITE_REFUSAL: "cross-site", CSRF_REFUSAL: "no valid CSRF token"}.get(exc.detail)


async def same_origin_writes_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A write a browser says comes from another site is refused (`Sec-Fetch-Site`, or
    `Origin` from browsers too old to send it). The routes it guards check the CSRF token
    themselves, or with `api_writes_carry_token`."""
    if connection.scope.get("method") not in UNSAFE_METHODS:
        return
    fetch_site = connection.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        raise PermissionDeniedException(CROSS_SITE_REFUSAL)
    origin = connection.headers.get("origin")
    if origin is not None and fetch_site is None:
        expected = f"{connection.url.scheme}://{connection.headers.get('host', '')}"
        if origin != expected:
            raise PermissionDeniedException(CROSS_SITE_REFUSAL)


async def api_writes_carry_token(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """CSRF defence for the JSON API, which the app's own scripts and other clients share.

    Only a browser can be made to write by another site's page, and every browser labels its
    requests with `Sec-Fetch-Site` or, if older, a write with `Origin`. So a write from another
    site is refused, and a browser's own-site write must carry the page's CSRF token in the
    `x-csrftoken` header, as a form carries it in a field. Scripts and command-line clients send
    neither header and cannot ride a victim's cookies: they need no token.
    """
    await same_origin_writes_only(connection, handler)
    if connection.scope.get("method") not in UNSAFE_METHODS:
        return
    if "sec-fetch-site" in connection.headers or "origin" in connection.headers:
        config = _csrf_config(connection)
        _refuse_unless_token_matches(
            connection, connection.cookies.get(config.cookie_name, ""), _header_token(connection)
        )


# --- CSRF for routes that skip Litestar's CSRF middleware (streamed multipart uploads) --------

CSRF_FIELD = "_csrf_token"


def _csrf_secret(token: str, key: str) -> bytes | None:
    """The random part of a token if its signature is ours (Litestar's token format)."""
    if len(token) <= CSRF_SECRET_LENGTH or not token.isascii():
        return None
    secret, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = generate_csrf_hash(token=secret, secret=key)
    return secret.encode() if compare_digest(signature.encode(), expected.encode()) else None


def _csrf_config(connection: ASGIConnection[Any, Any, Any, Any]) -> CSRFConfig:
    config = connection.app.csrf_config
    if config is None:  # create_app always configures CSRF; fail closed if that ever changes
        raise PermissionDeniedException(CSRF_REFUSAL)
    return config


def adopt_csrf_cookie(request: Request[Any, Any, Any]) -> str:
    """The CSRF cookie's token, also made the page's token (as the middleware would)."""
    config = _csrf_config(request)
    cookie = request.cookies.get(config.cookie_name, "")
    if _csrf_secret(cookie, config.secret) is not None:
        ScopeState.from_scope(request.scope).csrf_token = cookie
    return cookie


def csrf_input(request: Request[Any, Any, Any]) -> str:
    """The page's hidden CSRF field, as Litestar gives templates it (`csrf_input`), for HTML
    rendered outside a `Template` response."""
    token = ScopeState.from_scope(request.scope).csrf_token
    token = "" if token is Empty else str(token)
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{html.escape(token)}" />'


def check_form_token(request: Request[Any, Any, Any], fields: dict[str, str]) -> None:
    cookie = adopt_csrf_cookie(request)
    _refuse_unless_token_matches(
        request, cookie, _header_token(request) or fields.get(CSRF_FIELD, "")
    )


def _header_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.headers.get(_csrf_config(connection).header_name, "")


def _refuse_unless_token_matches(
    connection: ASGIConnection[Any, Any, Any, Any], cookie_token: str, sent_token: str
) -> None:
    """Both tokens signed by us and holding the same secret (Litestar's own check)."""
    key = _csrf_config(connection).secret
    cookie, sent = _csrf_secret(cookie_token, key), _csrf_secret(sent_token, key)
    if cookie is None or sent is None or not compare_digest(cookie, sent):
        raise PermissionDeniedException(CSRF_REFUSAL)
