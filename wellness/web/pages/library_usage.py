"""How the library is used, for coordinators and administrators: a table of sessions with what
was started, finished, by how many patients and with what change in anxiety, over a period in
the clinic's time zone; sortable, paged, and exported as CSV with the same figures hidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.response import Template

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.caseload import usage_csv
from wellness.caseload.usage import UsageReport
from wellness.caseload.usage_rules import (
    FEWER_THAN,
    MIN_PATIENTS,
    PER_PAGE,
    SORTS,
    TOO_FEW,
    Figures,
    SessionUsage,
    UsageQuery,
    parse_sort,
    sort_choices,
)
from wellness.catalog.kinds import Kind, Status
from wellness.settings import Settings
from wellness.web import usage_access
from wellness.web.dependencies import AppSettings, RequestTime, SignedInUser
from wellness.web.guards import library_usage_readers

PAGE = "library/usage.html"
# The headings of the form's fields and the error summary, by parameter.
LABELS = {"from": "From", "to": "To", "kind": "Kind", "sort": "Order", "page": "Page"}


@dataclass(frozen=True, slots=True)
class UsageLine:
    """A row as the page shows it: the figures, the session's words, the day last played."""

    session_id: int
    title: str
    kind: str  # its label
    archived: bool
    status: str  # its label
    figures: Figures
    last_played: date | None  # in the clinic's zone

    @classmethod
    def of(cls, row: SessionUsage, zone: ZoneInfo) -> UsageLine:
        last = row.last_played.astimezone(zone).date() if row.last_played else None
        return cls(
            row.session_id,
            row.title,
            Kind(row.kind).label,
            row.archived,
            Status(row.status).label,
            row.figures,
            last,
        )


def _context(
    user: User,
    query: UsageQuery,
    found: UsageReport | None,
    errors: dict[str, str],
    settings: Settings,
) -> dict[str, Any]:
    zone = settings.clinic_timezone
    local = ZoneInfo(zone)
    return {
        "query": query,
        "found": found,
        "totals": found.totals if found else None,
        "lines": [UsageLine.of(row, local) for row in found.rows] if found else [],
        "errors": errors,
        "labels": LABELS,
        "kinds": list(Kind),
        "sorts": SORTS,
        "sort_choices": sort_choices(),
        "order": query.order,
        "zone": zone,
        "min_patients": MIN_PATIENTS,
        "fewer_than": FEWER_THAN,
        "too_few": TOO_FEW,
        # Coordinators edit sessions (the edit page shows one session's figures); administrators
        # read the table only.
        "edits": permissions.can_manage_catalog(user.role),
        "completion_percent": settings.care.completion_percent,
        "per_page": PER_PAGE,
        "sort_links": {
            column: "?" + query.link(order=parse_sort(query.order.link_for(column)), page=1)
            for column in SORTS
        },
        "page_link": lambda number: "?" + query.link(page=number),
    }


def _template(
    user: User,
    query: UsageQuery,
    found: UsageReport | None,
    errors: dict[str, str],
    settings: Settings,
) -> Template:
    context = _context(user, query, found, errors, settings)
    return Template(PAGE, context=context, status_code=400 if errors else 200)


def _params(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {key: request.query_params.get(key, "") for key in request.query_params}


class LibraryUsagePages(Controller):
    path = "/library"
    guards = [library_usage_readers]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/usage", name="library_usage")
    async def usage_page(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        settings: AppSettings,
    ) -> Template:
        """The table for `from`..`to` (the last 28 days by default), `kind`, `sort`, `page`; a
        parameter it cannot read is a 400 that names it, showing no figures."""
        query, errors = usage_access.usage_query(_params(request), settings, now)
        if errors:
            return _template(user, query, None, errors, settings)
        found = await usage_access.read_usage(request, query, settings=settings, now=now)
        return _template(user, query, found, {}, settings)

    @get("/usage.csv", name="library_usage_csv")
    async def usage_csv(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        settings: AppSettings,
    ) -> Response[bytes] | Template:
        """Every row of the same table (paging ignored), the same figures hidden; audited."""
        query, errors = usage_access.usage_query(_params(request), settings, now)
        if errors:
            return _template(user, query, None, errors, settings)
        rows = await usage_access.export_usage(request, query, settings=settings, now=now)
        body = "".join(usage_csv.lines(rows, settings.clinic_timezone)).encode()
        return Response(
            body,
            media_type="text/csv",  # Litestar adds "; charset=utf-8"
            headers={
                "content-disposition": f'attachment; filename="{usage_csv.filename(query.period)}"',
                "cache-control": "no-store",
            },
        )
