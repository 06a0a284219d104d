"""A stored file as an HTTP representation: where its bytes are, and its headers as bytes.

One file is answered many times in a row (a player fetches it in ranges, see `grants`), so its
headers are encoded once, when the `MediaFile` is made, and reused for every answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from wellness.lib.http_ranges import http_date

Headers = list[tuple[bytes, bytes]]
# Adds the app's security headers to a response's headers (see `web.security.header_securer`).
Securer = Callable[[Headers], Headers]

# The browser may keep a copy for this user only, and asks us (a cheap 304) before each reuse:
# replaying a session costs no download, and a withdrawn permission applies on the next play.
CACHE_CONTROL = "private, no-cache"


class MediaFile:
    """What is served: where the bytes are, and the representation's metadata as header bytes.

    The headers are encoded once here, since one file is answered many times (see `grants`).
    """

    __slots__ = (
        "_content",
        "_secured",
        "_validators",
        "accel_headers",
        "etag",
        "last_modified",
        "path",
        "size",
    )

    def __init__(
        self,
        *,
        path: Path,
        size: int,
        mime_type: str,
        etag: str,
        last_modified: datetime,
        filename: str,
        cache_control: str = CACHE_CONTROL,
        accel_location: str | None = None,
    ) -> None:
        self.path = path
        self.size = size
        self.etag = etag
        self.last_modified = last_modified
        self._validators: list[tuple[bytes, bytes]] = [
            (b"etag", etag.encode("latin-1")),
            (b"last-modified", http_date(last_modified.astimezone(UTC)).encode("latin-1")),
            (b"cache-control", cache_control.encode("latin-1")),
            (b"accept-ranges", b"bytes"),
            (b"x-content-type-options", b"nosniff"),
        ]
        self._content: list[tuple[bytes, bytes]] = [
            (b"content-type", mime_type.encode("latin-1")),
            (b"content-disposition", f'inline; filename="{filename}"'.encode("latin-1")),
        ]
        # With nginx in front (X-Accel-Redirect), the whole answer: nginx sends the bytes.
        self.accel_headers: list[tuple[bytes, bytes]] | None = None
        self._secured: tuple[Securer, list[tuple[bytes, bytes]]] | None = None
        if accel_location is not None:
            self.accel_headers = [
                *self._content,
                (b"cache-control", cache_control.encode("latin-1")),
                (b"x-content-type-options", b"nosniff"),
                (b"x-accel-redirect", accel_location.encode("latin-1")),
                (b"content-length", b"0"),
            ]

    def validators(self) -> list[tuple[bytes, bytes]]:
        return list(self._validators)

    def described_for_nginx(self, relative_path: str) -> dict[str, str]:
        """What nginx needs to send this file itself after an access check (auth_request).

        The file relative to the media folder, and the Content-Type and Content-Disposition
        this app would send; nginx adds the same Cache-Control and nosniff from its config.
        """
        content = dict(self._content)
        return {
            "x-media-path": relative_path,
            "x-media-type": content[b"content-type"].decode("latin-1"),
            "x-media-disposition": content[b"content-disposition"].decode("latin-1"),
        }

    def content_headers(self, length: int) -> list[tuple[bytes, bytes]]:
        return [*self._validators, *self._content, (b"content-length", b"%d" % length)]

    def secured_headers(self, secure: Securer) -> list[tuple[bytes, bytes]]:
        """content_headers() less the length, passed through `secure` once per MediaFile."""
        if self._secured is None or self._secured[0] is not secure:
            self._secured = (secure, secure([*self._validators, *self._content]))
        return self._secured[1]
