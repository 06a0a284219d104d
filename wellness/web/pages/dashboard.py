"""The therapist's dashboard at /therapist: their caseload, "needs attention" first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import Template
from markupsafe import Markup

from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import dashboard, table
from wellness.catalog import services as catalog
from wellness.web.auditing import record_action
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import therapists_only

MAX_FILTER = 100
SORT_CHOICES = ", ".join(table.SORTS)
ROW_TEMPLATE = "caseload/_row.html"
MAX_KEPT_ROWS = 20_000


class DashboardPages(Controller):
    @get("/therapist", guards=[therapists_only], name="therapist_home")
    async def therapist_home(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        policy: CareRules,
        sort: Annotated[str | None, QueryParameter(name="sort", max_length=20)] = None,
        q: Annotated[str, QueryParameter(name="q", max_length=MAX_FILTER)] = "",
    ) -> Template:
        order = table.parse_sort(sort)
        if order is None:
            raise ValidationException(f"sort must be one of {SORT_CHOICES} (- for descending).")
        search = q.strip()
        rows = await dashboard.dashboard_rows(user.id, policy=policy, now=now, name_filter=search)
        await record_action(request, "caseload_viewed", target_type="caseload", target_id=user.id)
        ordered = table.sort_rows(rows, order)
        context = {
            "user": user,
            "now": now,
            "rows": ordered,
            "row_html": _rows_html(request, ordered, now),
            "order": order,
            "sorts": table.SORTS,
            "search": search,
            "ago": table.ago,
            "alerts": await caseload_alerts.open_alerts_for(user),
            "preview": await catalog.library_preview(user),
        }
        return Template("caseload/dashboard.html", context=context)


# The table's rows as HTML, by (template, row, how long ago its check-in was): a row's HTML
# depends on nothing else, and most rows stay the same from one view to the next, so a view
# renders only new or changed rows (rendering 200 rows was most of the page's cost).
_kept_rows: dict[tuple[Any, dashboard.DashboardRow, str], Markup] = {}


def _rows_html(
    request: Request[Any, Any, Any], rows: list[dashboard.DashboardRow], now: datetime
) -> Markup:
    engine = request.app.template_engine
    assert engine is not None  # create_app configures templates
    template = engine.get_template(ROW_TEMPLATE)  # a new one when it was edited (development)
    found = []
    for row in rows:
        key = (template, row, table.ago(row.checkin_at, now))
        html = _kept_rows.get(key)
        if html is None:
            if len(_kept_rows) >= MAX_KEPT_ROWS:
                _kept_rows.clear()
            html = _kept_rows[key] = Markup(  # noqa: S704  (autoescaped template output)
                template.render(row=row, checkin_ago=key[2])
            )
        found.append(html)
    return Markup("\n").join(found)
