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


def day_query(name: str, description: str) -> QueryParameter:
    """A query parameter naming a day (YYYY-MM-DD), read as text by a handler that checks it
    itself (`openapi.QUERY_READ_BY_HANDLER`): a bad day is its 400 naming the parameter, as on
    the page beside it; the schema still says what it takes."""
    return QueryParameter(name=name, description=description, schema_extra={"format": "date"})
