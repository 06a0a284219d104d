"""Streaming multipart uploads straight into the media store's incoming folder.

Litestar's UploadFile spools to $TMPDIR and the bytes would then be copied into the store: two
writes of every byte. Parsing the request stream ourselves writes each byte once, hashes it on
the way, and stops the moment the size cap is passed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError, MultipartParseError
from python_multipart.multipart import DEFAULT_MAX_HEADER_SIZE, parse_options_header

from wellness.accounts.models import User
from wellness.catalog import services as catalog
from wellness.catalog.services import Ingested
from wellness.catalog.storage import MediaStore
from wellness.settings import Settings
from wellness.web.auditing import record_action
from wellness.web.dependencies import AppMediaStore, AppSettings, RequestTime, SignedInUser

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FORM_FIELD = 64 * 1024
MULTIPART_OVERHEAD = 1024 * 1024


class UploadRefused(HTTPException):
    """An upload refused before its content was looked at (wrong shape, too large)."""


@dataclass(frozen=True, slots=True)
class Upload:
    """What an upload route needs besides the request: who uploads, when, and where to."""

    uploader: User
    now: datetime
    settings: Settings
    store: MediaStore


def provide_upload(
    user: SignedInUser, now: RequestTime, settings: AppSettings, media_store: AppMediaStore
) -> Upload:
    return Upload(user, now, settings, media_store)


# For an upload route's `dependencies`; its handler takes `upload: UploadTo`.
UPLOAD = {"upload": Provide(provide_upload, sync_to_thread=False)}
UploadTo = NamedDependency[Upload]


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    path: Path
    sha256: str
    size: int
    filename: str | None
    fields: dict[str, str]


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    value: bytearray = field(default_factory=bytearray)


class _Receiver:
    def __init__(self, target: BinaryIO, *, file_field: str, max_bytes: int) -> None:
        self.target = target
        self.file_field = file_field
        self.max_bytes = max_bytes
        self.digest = hashlib.sha256()
        self.size = 0
        self.filename: str | None = None
        self.file_seen = False
        self.fields: dict[str, str] = {}
        self.part = _Part()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": lambda data, start, end: self.part.header_field.extend(
                data[start:end]
            ),
            "on_header_value": lambda data, start, end: self.part.header_value.extend(
                data[start:end]
            ),
            "on_header_end": self.on_header_end,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_end(self) -> None:
        name = bytes(self.part.header_field).decode("latin-1").strip().lower()
        value = bytes(self.part.header_value)
        self.part.header_field.clear()
        self.part.header_value.clear()
        if name != "content-disposition":
            return
        _, options = parse_options_header(value)
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        self.part.filename = (
            raw_filename.decode("utf-8", "replace") if raw_filename is not None else None
        )
        if self.is_file_part():
            # Counted per part, not by name: two parts named alike would otherwise be joined.
            if self.file_seen:
                raise UploadRefused(status_code=400, detail="Send one file per upload.")
            self.file_seen, self.filename = True, self.part.filename

    def is_file_part(self) -> bool:
        return self.part.name == self.file_field and self.part.filename is not None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file_part():
            chunk = data[start:end]
            self.size += len(chunk)
            if self.size > self.max_bytes:
                limit_mb = self.max_bytes // (1024 * 1024)
                raise UploadRefused(
                    status_code=413, detail=f"The file is larger than the {limit_mb} MB limit."
                )
            self.digest.update(chunk)
            self.target.write(chunk)
            return
        self.part.value.extend(data[start:end])
        if len(self.part.value) > MAX_FORM_FIELD:
            raise UploadRefused(
                status_code=413, detail=f"The form field {self.part.name!r} is too long."
            )

    def on_part_end(self) -> None:
        if self.part.name and not self.is_file_part():
            self.fields[self.part.name] = bytes(self.part.value).decode("utf-8", "replace")


def _boundary(request: Request[Any, Any, Any]) -> bytes:
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise UploadRefused(
            status_code=415, detail="Send the file as multipart/form-data in a field named 'file'."
        )
    return boundary


async def receive_file(
    request: Request[Any, Any, Any], store: MediaStore, *, max_bytes: int, file_field: str = "file"
) -> ReceivedFile:
    """Stream the request's file part into a new incoming file; nothing is left behind on error."""
    boundary = _boundary(request)
    incoming = store.new_incoming()
    try:
        with incoming.open("wb") as target:
            receiver = _Receiver(target, file_field=file_field, max_bytes=max_bytes)
            parser = MultipartParser(boundary, receiver.callbacks())
            async for chunk in request.stream():
                parser.write(chunk)
            parser.finalize()
        if not receiver.file_seen:
            raise UploadRefused(
                status_code=400, detail=f"No file was sent in the field '{file_field}'."
            )
    except HTTPException as problem:
        store.discard(incoming)
        if problem.status_code == 413 and not isinstance(problem, UploadRefused):
            limit_mb = max_bytes // (1024 * 1024)
            raise UploadRefused(
                status_code=413, detail=f"The file is larger than the {limit_mb} MB limit."
            ) from None
        raise
    except FormParserError as problem:  # also a boundary longer than python-multipart takes
        store.discard(incoming)
        raise UploadRefused(status_code=400, detail=_multipart_fault(problem)) from None
    except BaseException:
        store.discard(incoming)
        raise
    return ReceivedFile(
        incoming, receiver.digest.hexdigest(), receiver.size, receiver.filename, receiver.fields
    )


def _multipart_fault(problem: FormParserError) -> str:
    if isinstance(problem, MultipartParseError) and "header size" in str(problem):
        # python-multipart's cap on one part header: in practice, a file's name thousands of
        # characters long (file systems allow 255).
        limit = DEFAULT_MAX_HEADER_SIZE
        return (
            f"The file's name is too long: a part of the upload may describe its file in at "
            f"most {limit:,} bytes. Rename the file and send it again."
        )
    return "The upload is not a well-formed multipart body."


async def ingest_received(
    request: Request[Any, Any, Any], received: ReceivedFile, upload: Upload
) -> Ingested:
    """Validate and store a received upload as the uploader's, and audit it."""
    ingested = await catalog.ingest(
        upload.store,
        received.path,
        sha256=received.sha256,
        original_filename=received.filename,
        uploader=upload.uploader,
        now=upload.now,
        max_duration_seconds=upload.settings.max_media_minutes * 60,
    )
    await record_action(request, "media_uploaded", target_type="media", target_id=ingested.asset.id)
    return ingested
