"""The therapist's dashboard at /therapist: their caseload, "needs attention" first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import Template
from markupsafe import Markup

from wellness.accounts.models import User
from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import dashboard, table
from wellness.catalog import services as catalog
from wellness.web.auditing import record_action
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import therapists_only
from wellness.web.security import csrf_input

MAX_FILTER = 100
SORT_CHOICES = ", ".join(table.SORTS)
ROW_TEMPLATE = "caseload/_row.html"
ALERTS_TEMPLATE = "caseload/_alerts_panel.html"
MAX_KEPT_HTML = 20_000
MAX_KEPT_TABLES = 64  # a 200-row table is about 200 KB


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
        view = await dashboard.dashboard_view(user, policy=policy, now=now, name_filter=search)
        rows = view.rows
        await record_action(request, "caseload_viewed", target_type="caseload", target_id=user.id)
        context = {
            "user": user,
            "rows": rows,  # how many; the table itself is `rows_html`
            "rows_html": _table_html(request, rows, order, now),
            "order": order,
            "sorts": table.SORTS,
            "search": search,
            "alerts_html": _alerts_html(request, user, view.alerts),
            "preview": await catalog.library_preview_under(user, view.catalog_token),
        }
        return Template("caseload/dashboard.html", context=context)


# Parts of the page as HTML, by (template, what they are rendered from): a part depends on
# nothing else, and most stay the same from one view to the next, so a view renders only new or
# changed rows and a changed alerts panel (rendering 200 rows and 50 alerts was most of the
# page's cost). Emptied when full.
_kept_html: dict[tuple[Any, ...], Markup] = {}
# Stands for the page's CSRF field in a kept alerts panel: the field is each session's own (and
# new on every answer to a client without the cookie), the rest of the panel is not.
_CSRF_SLOT = Markup('<input type="hidden" name="_csrf_token" value="{csrf slot}" />')


def _template(request: Request[Any, Any, Any], name: str) -> Any:
    engine = request.app.template_engine
    assert engine is not None  # create_app configures templates
    return engine.get_template(name)  # a new one when it was edited (development)


def _kept_render(template: Any, **context: Any) -> Markup:
    key = (template, *context.items())
    html = _kept_html.get(key)
    if html is None:
        if len(_kept_html) >= MAX_KEPT_HTML:
            _kept_html.clear()
        html = _kept_html[key] = Markup(  # noqa: S704  (autoescaped template output)
            template.render(**context)
        )
    return html


# The table's rows in order as HTML, by (row template, order, rows), with the moments between
# which it holds: until the first "how long ago" in it would read differently.
_kept_tables: dict[tuple[Any, ...], tuple[datetime, datetime | None, Markup]] = {}


def _table_html(
    request: Request[Any, Any, Any],
    rows: list[dashboard.DashboardRow],
    order: table.SortOrder,
    now: datetime,
) -> Markup:
    template = _template(request, ROW_TEMPLATE)
    key = (template, order, tuple(rows))
    kept = _kept_tables.get(key)
    if kept is not None and kept[0] <= now and (kept[1] is None or now < kept[1]):
        return kept[2]
    html = Markup("\n").join(
        _kept_render(template, row=row, checkin_ago=table.ago(row.checkin_at, now))
        for row in table.sort_rows(rows, order)
    )
    changes = [table.ago_changes_at(row.checkin_at, now) for row in rows]
    if len(_kept_tables) >= MAX_KEPT_TABLES:
        _kept_tables.clear()
    _kept_tables[key] = (now, min(filter(None, changes), default=None), html)
    return html


def _alerts_html(
    request: Request[Any, Any, Any], user: User, alerts: list[caseload_alerts.AlertView]
) -> Markup:
    template = _template(request, ALERTS_TEMPLATE)
    panel = _kept_render(template, alerts=tuple(alerts), zone=user.time_zone, csrf_input=_CSRF_SLOT)
    filled = str(panel).replace(str(_CSRF_SLOT), csrf_input(request))
    return Markup(filled)  # noqa: S704  (the kept panel with the page's own CSRF field)
