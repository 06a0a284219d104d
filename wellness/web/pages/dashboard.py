"""The therapist's dashboard at /therapist: their caseload, "needs attention" first."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import Template

from wellness.caseload import alerts as caseload_alerts
from wellness.caseload import dashboard, table
from wellness.catalog import services as catalog
from wellness.web.auditing import record_action
from wellness.web.dependencies import CareRules, RequestTime, SignedInUser
from wellness.web.guards import therapists_only

MAX_FILTER = 100
SORT_CHOICES = ", ".join(table.SORTS)


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
        context = {
            "user": user,
            "now": now,
            "rows": table.sort_rows(rows, order),
            "order": order,
            "sorts": table.SORTS,
            "search": search,
            "ago": table.ago,
            "alerts": await caseload_alerts.open_alerts_for(user),
            "preview": await catalog.library_preview(user),
        }
        return Template("caseload/dashboard.html", context=context)
