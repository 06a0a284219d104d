"""Strict JSON bodies for health data: "7" is not 7 and true is not 1.

Litestar converts bodies leniently (strings to numbers and the like); a rating must arrive as
the type the API documents, so writes re-read their body strictly and name the field at fault.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

S = TypeVar("S", bound=msgspec.Struct)
_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


async def strictly(request: Request[Any, Any, Any], shape: type[S]) -> S:
    try:
        return msgspec.json.decode(await request.body(), type=shape, strict=True)
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
