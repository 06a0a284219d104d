"""Sending a planned answer: the start of the response, then the span of the file it names.

`send_planned()` serves both the controller's `RangedFileResponse` and the fast paths, which
answer without Litestar (see `fast_path`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.response.base import ASGIResponse
from litestar.types import HTTPResponseStartEvent, Receive, Scope, Send

from wellness.web.media.conditions import Conditions, Plan, plan
from wellness.web.media.files import OpenFiles, send_span
from wellness.web.media.representation import MediaFile


async def send_planned(
    answer: Plan,
    files: OpenFiles,
    path: Path,
    send: Send,
    receive: Receive,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Send a planned answer; the file is borrowed (kept open) until its last byte is sent."""
    headers = answer.headers if not extra_headers else [*answer.headers, *extra_headers]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": answer.status,
        "headers": headers,
    }
    if answer.length == 0:
        await send(start)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    with files.borrow(path) as handle:
        await send(start)
        await send_span(send, receive, handle.fd, answer.start, answer.length)


class _RangedASGIResponse(ASGIResponse):
    __slots__ = ("answer", "files", "path")

    def __init__(self, answer: Plan, path: Path, files: OpenFiles, cookies: list[Cookie]) -> None:
        # The body and its headers are ours: tell the base class there is none to describe.
        super().__init__(cookies=cookies, status_code=answer.status, is_head_response=True)
        self.answer = answer
        self.files = files
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extra = self.encode_headers()
        await send_planned(self.answer, self.files, self.path, send, receive, extra)
        await self.after_response()


class RangedFileResponse(Response[None]):
    """A Litestar response for one stored file, answering the request's range and validators."""

    def __init__(self, media: MediaFile, conditions: Conditions, files: OpenFiles) -> None:
        super().__init__(None)
        self.answer = plan(media, conditions)
        self.path = media.path
        self.files = files

    def to_asgi_response(
        self,
        app: Any,
        request: Request[Any, Any, Any],
        *,
        cookies: Any = None,
        **_: Any,
    ) -> ASGIResponse:
        every_cookie = [*self.cookies, *(cookies or [])]
        return _RangedASGIResponse(self.answer, self.path, self.files, every_cookie)
