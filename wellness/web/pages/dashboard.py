"""The therapist's dashboard at /therapist: their caseload, "needs attention" first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import Redirect
from markupsafe import Markup

from wellness.accounts.models import User
from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import dashboard, table
from wellness.catalog import services as catalog
from wellness.catalog.search import SearchPage
from wellness.web.auditing import record_action, record_for_patients
from wellness.web.context import web_context
from wellness.web.dependencies import CareTeamCall, SignedInCall
from wellness.web.guards import therapists_only
from wellness.web.kept_searches import keep_posted_search, kept_search
from wellness.web.security import csrf_input

MAX_FILTER = 100
VIEWED = "caseload_viewed"
CASELOAD_SEARCH = "caseload_search"  # the name search, kept in the session, not the URL
SORT_CHOICES = ", ".join(table.SORTS)
PAGE_TEMPLATE = "caseload/dashboard.html"
ROW_TEMPLATE = "caseload/_row.html"
ALERTS_TEMPLATE = "caseload/_alerts_panel.html"
PREVIEW_TEMPLATE = "caseload/_library_preview.html"
MAX_KEPT_HTML = 20_000
MAX_KEPT_TABLES = 64  # a 200-row table is about 200 KB
MAX_KEPT_PAGES = 64
FLASH_MESSAGES = "_messages"  # where Litestar's flash() keeps a session's messages


class DashboardPages(Controller):
    @get("/therapist", guards=[therapists_only], name="therapist_home")
    async def therapist_home(
        self,
        call: CareTeamCall,
        sort: Annotated[str | None, QueryParameter(name="sort", max_length=20)] = None,
    ) -> Response[bytes]:
        """The caseload, filtered by the name search kept in the session (see `search`)."""
        order = table.parse_sort(sort)
        if order is None:
            raise ValidationException(f"sort must be one of {SORT_CHOICES} (- for descending).")
        request, user, now = call.request, call.user, call.now
        search = kept_search(request, CASELOAD_SEARCH)
        view = await dashboard.dashboard_view(user, policy=call.policy, now=now, name_filter=search)
        rows = view.rows
        await _audit_view(call, view)
        preview = await catalog.library_preview_under(user, view.catalog_token)
        context = {
            "user": user,
            "rows": rows,  # how many; the table itself is `rows_html`
            "rows_html": _table_html(request, rows, order, now),
            "order": order,
            "sorts": table.SORTS,
            "search": search,
            "alerts_html": _alerts_html(request, user, view.alerts),
            "preview_html": _preview_html(request, preview),
            # The menu's figure (`menu.count_open_alerts`), which the header links to too.
            "drafts_to_review": getattr(request.state, "drafts_to_review", 0),
        }
        return _page(request, context)

    @post("/therapist", guards=[therapists_only], name="therapist_search")
    async def search(self, request: Request[Any, Any, Any]) -> Redirect:
        """The name search is posted and kept in the session: a patient's name typed into it
        never stands in a URL (browser histories, access logs). The order stays in the URL."""
        form = await keep_posted_search(request, CASELOAD_SEARCH, MAX_FILTER)
        sort = str(form.get("sort", ""))
        order = table.parse_sort(sort) if sort else None
        return Redirect(f"/therapist?sort={sort}" if order else "/therapist", status_code=303)


async def _audit_view(call: SignedInCall, view: dashboard.DashboardView) -> None:
    """One `caseload_viewed` row per patient the page shows (a row of the table, or an open
    alert: the panel is not filtered by name), written together, unless this therapist's view
    of that patient was recorded within `recent_reads.READ_WINDOW`; a view that writes none
    (it shows nobody, or only patients recorded lately) is one row naming the caseload. A
    dashboard refreshed all day thus records each patient every few minutes and each view."""
    shown = [row.patient_id for row in view.rows] + [alert.patient_id for alert in view.alerts]
    recent = web_context(call.request).recent_reads
    due = recent.due(call.user.id, VIEWED, shown, call.now)
    if due:
        await record_for_patients(call.request, VIEWED, due, now=call.now)
        recent.recorded(call.user.id, VIEWED, due, call.now)
    else:
        await record_action(
            call.request,
            VIEWED,
            target_type="caseload",
            target_id=call.user.id,
            now=call.now,
        )


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
    """The alerts panel with `_CSRF_SLOT` for its forms' CSRF field (filled in by `_page`)."""
    template = _template(request, ALERTS_TEMPLATE)
    return _kept_render(template, alerts=tuple(alerts), zone=user.time_zone, csrf_input=_CSRF_SLOT)


def _preview_html(request: Request[Any, Any, Any], preview: SearchPage) -> Markup:
    """The library preview, kept with the catalog page it shows (as long as that is kept)."""
    template = _template(request, PREVIEW_TEMPLATE)
    key = ("dashboard preview", template)
    html = preview.derived.get(key)
    if html is None:
        html = preview.derived[key] = Markup(  # noqa: S704  (autoescaped template output)
            template.render(preview=preview)
        )
    return cast(Markup, html)


# The whole page as UTF-8 with `_CSRF_SLOT` for each CSRF field, by everything it is rendered
# from (the parts above are kept objects, so a repeat view compares them by identity): a repeat
# view costs a lookup and one replace instead of rendering and encoding about 200 KB.
# Emptied when full.
_kept_pages: dict[tuple[Any, ...], bytes] = {}
_CSRF_SLOT_BYTES = str(_CSRF_SLOT).encode()
# The page's context besides the user and how many rows (`sorts` is the same for every view).
_PAGE_VARIES_WITH = (
    "order",
    "search",
    "rows_html",
    "alerts_html",
    "preview_html",
    "drafts_to_review",
)


def _page(request: Request[Any, Any, Any], context: dict[str, Any]) -> Response[bytes]:
    template = _template(request, PAGE_TEMPLATE)
    user: User = context["user"]
    account = (user.id, user.display_name, user.role, user.time_zone)
    parts = tuple(context[name] for name in _PAGE_VARIES_WITH)
    key = (template, account, len(context["rows"]), *parts)
    # Messages waiting in the session are shown (and taken from it) by this rendering only.
    keep = not request.session.get(FLASH_MESSAGES)
    page = _kept_pages.get(key) if keep else None
    if page is None:
        page = template.render(request=request, csrf_input=_CSRF_SLOT, **context).encode()
        if keep:
            if len(_kept_pages) >= MAX_KEPT_PAGES:
                _kept_pages.clear()
            _kept_pages[key] = page
    body = page.replace(_CSRF_SLOT_BYTES, csrf_input(request).encode())
    return Response(body, media_type=MediaType.HTML)
