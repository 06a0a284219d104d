"""Idempotency-Key support for JSON writes, and its counterpart for a page's form (see
wellness.system.idempotency)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.datastructures import FormMultiDict

from wellness.system import idempotency
from wellness.web.context import utc_now
from wellness.web.guards import current_user

# A write's answer: its status and body (None for no body: a 204).
Write = Callable[[], Awaitable[tuple[int, msgspec.Struct | None]]]
# The answer's header saying it is a stored answer, replayed for a repeated key.
REPLAYED = "idempotent-replayed"
# The hidden field a form that must not write twice carries its key in (`new_form_key`).
FORM_KEY = "form_key"
_FORM_KEY = re.compile(r"[0-9a-f]{32}")


async def respond_once(
    request: Request[Any, Any, Any], payload: msgspec.Struct | None, write: Write
) -> Response[bytes]:
    """Run `write` once per Idempotency-Key (when the client sent one) and answer its result;
    a retry with the same key and payload gets the stored answer, marked Idempotent-Replayed."""
    key = request.headers.get(idempotency.HEADER)

    async def encoded() -> tuple[int, bytes]:
        status_code, result = await write()
        return status_code, b"" if result is None else msgspec.json.encode(result)

    if key is None:
        status_code, body = await encoded()
        return _response(status_code, body, replayed=False)
    user = current_user(request)
    print_ = idempotency.fingerprint(request.method, request.url.path, msgspec.json.encode(payload))
    answer = await idempotency.answer_once(
        user.id, idempotency.check_key(key), print_, encoded, now=utc_now(request)
    )
    return _response(answer.status_code, answer.body, replayed=answer.replayed)


async def respond_once_empty(
    request: Request[Any, Any, Any],
    payload: msgspec.Struct | None,
    write: Callable[[], Awaitable[None]],
) -> Response[None]:
    """`respond_once` for a write answered `204` without a body (a deletion): a retry with the
    same key gets the `204` again, marked Idempotent-Replayed, and writes nothing."""

    async def written() -> tuple[int, None]:
        await write()
        return 204, None

    answer = await respond_once(request, payload, written)
    replayed = {name: answer.headers[name] for name in (REPLAYED,) if name in answer.headers}
    return Response(None, status_code=answer.status_code, headers=replayed)


def _response(status_code: int, body: bytes, *, replayed: bool) -> Response[bytes]:
    headers = {REPLAYED: "true"} if replayed else {}
    return Response(body, status_code=status_code, media_type=MediaType.JSON, headers=headers)


def new_form_key() -> str:
    """A key for one form as the page hands it out: sent back with it, again if it is shown
    again after a refusal."""
    return uuid.uuid4().hex


def form_key(form: FormMultiDict) -> str | None:
    """The form's key, if it came with one as `new_form_key` makes them (a page sends nothing
    else; anything else is no key)."""
    key = str(form.get(FORM_KEY, ""))
    return key if _FORM_KEY.fullmatch(key) else None


async def answer_form_once(
    request: Request[Any, Any, Any],
    key: str | None,
    payload: bytes,
    write: Callable[[], Awaitable[tuple[int, bytes]]],
) -> idempotency.Answer:
    """Run a form's `write` once per form and content, as `respond_once` does per
    Idempotency-Key: the same form sent again with the same values (a double click, the Back
    button and send) gets the first answer, `replayed`, and writes nothing. The same form sent
    with other values (Back, a correction, send) is a write of its own. `payload` is what the
    form asks for, as the page read it; without a key every send writes."""
    if key is None:
        status_code, body = await write()
        return idempotency.Answer(status_code, body)
    content = hashlib.sha256(payload).hexdigest()[:32]
    user = current_user(request)
    fingerprint = idempotency.fingerprint(request.method, request.url.path, payload)
    return await idempotency.answer_once(
        user.id, f"form-{key}-{content}", fingerprint, write, now=utc_now(request)
    )
