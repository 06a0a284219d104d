"""Record ids as the app accepts them in paths and bodies: bounded, like the database columns.

A larger number would overflow SQLite's 64-bit integers at bind time (a 500); bounded here, it is
refused with a 4xx naming the parameter, and the OpenAPI document shows the bounds.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import PathParameter

from wellness.lib.numbers import MAX_ID

BodyId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
