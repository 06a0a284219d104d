"""Record ids as the app accepts them in paths and bodies: bounded, like the database columns.

A larger number would overflow SQLite's 64-bit integers at bind time (a 500); bounded here, it is
refused with a 4xx naming the parameter, and the OpenAPI document shows the bounds.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import PathParameter, QueryParameter

from wellness.lib.numbers import MAX_ID, ascii_digits

BodyId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
AccountId = Annotated[int, PathParameter(title="Account id", ge=1, le=MAX_ID)]
# An optional id in the query string (`?asset=3`); the handler's parameter has the same name.
QueryId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
# A page of a list in the query string (`?page=2`, `?practice_page=2`).
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000)]


_PARAMETER = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]*)?\}")


async def ascii_path_ids(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Every `{name:int}` segment of the path is ASCII digits (an app-wide guard). Async, as
    every guard here is: Litestar runs a plain function guard in a worker thread.

    Litestar reads such segments with `int()`, which also takes `٩` (as 9), `+9` and `9_0`.
    """
    numbers = {name for name, value in connection.path_params.items() if isinstance(value, int)}
    if not numbers:
        return
    wanted = str(connection.scope.get("path_template", "")).split("/")
    given = connection.scope["path"].split("/")
    if len(wanted) != len(given):
        return
    for pattern, text in zip(wanted, given, strict=True):
        found = _PARAMETER.fullmatch(pattern)
        if found and found["name"] in numbers and ascii_digits(text, max_digits=10) is None:
            message = "Give the id in ASCII digits (0-9)."
            raise ValidationException(
                message, extra=[{"key": found["name"], "message": message, "source": "path"}]
            )
