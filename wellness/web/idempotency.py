"""Idempotency-Key support for JSON writes (see wellness.system.idempotency)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import MediaType, Request, Response

from wellness.system import idempotency
from wellness.web.context import utc_now
from wellness.web.guards import current_user

Write = Callable[[], Awaitable[tuple[int, msgspec.Struct]]]


async def respond_once(
    request: Request[Any, Any, Any], payload: msgspec.Struct | None, write: Write
) -> Response[bytes]:
    """Run `write` once per Idempotency-Key (when the client sent one) and answer its result;
    a retry with the same key and payload gets the stored answer, marked Idempotent-Replayed."""
    key = request.headers.get(idempotency.HEADER)

    async def encoded() -> tuple[int, bytes]:
        status_code, result = await write()
        return status_code, msgspec.json.encode(result)

    if key is None:
        status_code, body = await encoded()
        return _response(status_code, body, replayed=False)
    user = current_user(request)
    print_ = idempotency.fingerprint(request.method, request.url.path, msgspec.json.encode(payload))
    answer = await idempotency.answer_once(
        user.id, idempotency.check_key(key), print_, encoded, now=utc_now(request)
    )
    return _response(answer.status_code, answer.body, replayed=answer.replayed)


def _response(status_code: int, body: bytes, *, replayed: bool) -> Response[bytes]:
    headers = {"idempotent-replayed": "true"} if replayed else {}
    return Response(body, status_code=status_code, media_type=MediaType.JSON, headers=headers)
