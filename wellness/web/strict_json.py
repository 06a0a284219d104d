"""JSON bodies as the API reads them: never nested deeper than a decoder can take, and strict
for health data ("7" is not 7 and true is not 1).

Litestar converts bodies leniently (strings to numbers and the like); a rating must arrive as
the type the API documents, so writes re-read their body strictly and name the field at fault.
Every body is checked for over-deep nesting before it is decoded (`JsonRequest`, the app's
request class, so every JSON route is covered), since decoders raise RecursionError on it.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException

from wellness.lib.json_nesting import too_deep

S = TypeVar("S", bound=msgspec.Struct)
_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")
# Our bodies nest three levels at most; decoders fail near a thousand.
MAX_JSON_DEPTH = 32


def shallow(body: bytes) -> bytes:
    """`body`, or a 400 before decoding if it nests deeper than MAX_JSON_DEPTH."""
    if too_deep(body, MAX_JSON_DEPTH):
        raise ClientException(
            f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.",
            extra=[{"key": "body", "message": "Nested too deeply.", "source": "body"}],
        )
    return body


class JsonRequest(Request[Any, Any, Any]):
    """The app's request class: its JSON body is checked by `shallow` before it is decoded."""

    async def json(self) -> Any:
        shallow(await self.body())
        return await super().json()


async def strictly(request: Request[Any, Any, Any], shape: type[S]) -> S:
    try:
        return msgspec.json.decode(shallow(await request.body()), type=shape, strict=True)
    except msgspec.ValidationError as error:
        message = str(error)
        match = _PATH.search(message)
        field = _field_name(match.group("path")) if match else _missing_field(message)
        plain = _PATH.sub("", message)
        raise ValidationException(
            "Validation failed.", extra=[{"key": field, "message": plain, "source": "body"}]
        ) from None


def _field_name(path: str) -> str:
    # "answers[3]" stays as it is; "$" alone means the whole body.
    return path or "body"


def _missing_field(message: str) -> str:
    found = re.search(r"missing required field `(?P<name>[^`]+)`", message)
    return found.group("name") if found else "body"
