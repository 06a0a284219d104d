"""The audit trail for admins: filter by person, patient, action and dates; page through it
newest first; export the same rows as CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Stream, Template

from wellness.audit import browse, export
from wellness.audit import filters as audit_filters
from wellness.audit.filters import AuditFilter
from wellness.lib.validation import FieldError
from wellness.web.auditing import record_action
from wellness.web.dependencies import AppSettings, RequestTime
from wellness.web.guards import admins_only

PAGE = "admin/audit.html"


async def _resolved(
    params: Mapping[str, str],
) -> tuple[browse.Resolved | None, AuditFilter, list[str], dict[str, str]]:
    """The filter from `params`, its people resolved; or the problems by field."""
    actions = sorted(await browse.known_actions())
    chosen, errors = audit_filters.parse(params, frozenset(actions))
    try:
        resolved = await browse.resolve(chosen)
    except FieldError as problem:  # named beside the filter's own problems, all at once
        resolved, errors = None, {**errors, **problem.errors}
    if errors:
        return None, chosen, actions, errors
    return resolved, chosen, actions, {}


def _query(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {key: request.query_params.get(key, "") for key in request.query_params}


def _template(
    chosen: AuditFilter,
    actions: list[str],
    found: browse.AuditPage | None,
    errors: dict[str, str],
    zone: str,
) -> Template:
    context = {
        "filters": chosen,
        "values": chosen.values(),
        "actions": actions,
        "page": found,
        "errors": errors,
        "zone": zone,
        "csv_query": chosen.first_page().query(),
        "newer_query": chosen.query(after=found.newer) if found and found.newer else "",
        "older_query": chosen.query(before=found.older) if found and found.older else "",
        "max_per_page": audit_filters.MAX_PER_PAGE,
    }
    return Template(PAGE, context=context, status_code=400 if errors else 200)


class AuditPages(Controller):
    path = "/admin"
    guards = [admins_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/audit", name="admin_audit")
    async def audit_page(self, request: Request[Any, Any, Any], settings: AppSettings) -> Template:
        zone = settings.clinic_timezone
        resolved, chosen, actions, errors = await _resolved(_query(request))
        if resolved is None:
            return _template(chosen, actions, None, errors, zone)
        found = await browse.page(resolved, zone)
        return _template(resolved.by_ids(), actions, found, {}, zone)

    @post("/audit", name="admin_audit_filter")
    async def filter_audit(
        self, request: Request[Any, Any, Any], settings: AppSettings
    ) -> Template | Redirect:
        """The filter form is posted, so that an e-mail address typed into it never stands in
        a URL (browser histories, access logs): it answers with the page's address, its people
        as account ids."""
        form = await request.form()
        typed = {key: str(form.get(key, "")) for key in (*audit_filters.FIELDS, "per_page")}
        resolved, chosen, actions, errors = await _resolved(typed)
        if resolved is None:
            return _template(chosen, actions, None, errors, settings.clinic_timezone)
        query = resolved.by_ids().first_page().query()
        return Redirect(f"/admin/audit?{query}" if query else "/admin/audit", status_code=303)

    @get("/audit.csv", name="admin_audit_csv")
    async def audit_csv(
        self,
        request: Request[Any, Any, Any],
        now: RequestTime,
        settings: AppSettings,
    ) -> Stream | Template:
        """Every row the filters match (paging ignored), streamed; the export is itself audited."""
        zone = settings.clinic_timezone
        resolved, chosen, actions, errors = await _resolved(_query(request))
        if resolved is None:
            return _template(chosen, actions, None, errors, zone)
        await record_action(
            request, "audit_exported", target_type="audit", detail=_described(resolved), now=now
        )

        async def body() -> AsyncIterator[str]:
            yield export.line(export.HEADER)
            async for row in browse.export_rows(resolved, zone):
                yield export.line(export.row_cells(row, zone))

        stamp = now.strftime("%Y%m%d-%H%M%S")
        return Stream(
            body(),
            media_type="text/csv",  # Litestar adds "; charset=utf-8"
            headers={
                "content-disposition": f'attachment; filename="audit-{stamp}.csv"',
                "cache-control": "no-store",
            },
        )


def _described(resolved: browse.Resolved) -> str:
    """The export's filters for its own audit row: ids, an action name and dates only."""
    chosen = resolved.filter
    parts = {
        "person": resolved.actor_id,
        "patient": resolved.patient_id,
        "action": chosen.action or None,
        "since": chosen.since,
        "until": chosen.until,
    }
    return ";".join(f"{key}={value}" for key, value in parts.items() if value is not None)
