"""Field and parameter types that the API's bodies, answers and queries share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar.params import QueryParameter

from wellness.checkins.scoring import MAX_NOTE

Moment = Annotated[datetime, msgspec.Meta(tz=True)]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE)]

PerPage = Annotated[int, QueryParameter(ge=1, le=100)]
