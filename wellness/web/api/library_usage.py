"""JSON API for the library's usage figures (coordinators and administrators): the usage
page's table as data."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.exceptions import ClientException
from litestar.params import QueryParameter

from wellness.caseload.usage_rules import MIN_PATIENTS, SORTS
from wellness.catalog.kinds import Kind
from wellness.web import usage_access
from wellness.web.api.fields import day_query
from wellness.web.api.library_usage_schemas import LibraryUsage
from wellness.web.dependencies import AppSettings, RequestTime
from wellness.web.guards import library_usage_readers
from wellness.web.openapi import QUERY_READ_BY_HANDLER

# Read as text and checked by `usage_rules.parse_query`, so that a bad value is a 400 naming
# the parameter, as on the page; the schema still lists what each takes.
FromDay = Annotated[
    str | None,
    day_query(
        "from",
        "First local day (YYYY-MM-DD) in the clinic's time zone; default 27 days before `to`. "
        "The period is at most 366 days.",
    ),
]
ToDay = Annotated[
    str | None, day_query("to", "Last local day (YYYY-MM-DD), included; default today.")
]
KindName = Annotated[
    str | None, QueryParameter(schema_extra={"enum": [kind.value for kind in Kind]})
]
SORT_VALUES = [value for column in SORTS for value in (column, f"-{column}")]
SortName = Annotated[
    str | None,
    QueryParameter(
        description="A column, `-` first for descending; default `-starts`.",
        schema_extra={"enum": SORT_VALUES},
    ),
]
PageText = Annotated[
    str | None,
    QueryParameter(
        description="Page of 50 sessions, from 1; past the last shows the last.",
        schema_extra={"pattern": "^[0-9]{1,6}$"},
    ),
]


class LibraryUsageApi(Controller):
    path = "/api/v1/library"
    guards = [library_usage_readers]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["catalog"]  # noqa: RUF012

    @get("/usage", name="api_library_usage", opt={QUERY_READ_BY_HANDLER: True})
    async def usage(
        self,
        request: Request[Any, Any, Any],
        now: RequestTime,
        settings: AppSettings,
        first: FromDay = None,
        last: ToDay = None,
        kind: KindName = None,
        sort: SortName = None,
        page: PageText = None,
    ) -> LibraryUsage:
        """Per session (published, and any other used in the period): starts, completions,
        completion rate, distinct patients, patients assigned it now, the mean before-to-after
        anxiety change and the day last played; totals over every page. A count of patients or
        a mean resting on fewer than `min_patients` patients is null with its `*_suppressed`
        flag. Audited."""
        given = {"from": first, "to": last, "kind": kind, "sort": sort, "page": page}
        params = {key: value for key, value in given.items() if value is not None}
        query, errors = usage_access.usage_query(params, settings, now)
        if errors:
            raise ClientException(
                f"The query could not be read: {', '.join(errors)}.",
                extra=[{"key": key, "message": message} for key, message in errors.items()],
            )
        found = await usage_access.read_usage(request, query, settings=settings, now=now)
        return LibraryUsage.of(found, settings.clinic_timezone, MIN_PATIENTS)
