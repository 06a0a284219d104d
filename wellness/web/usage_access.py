"""The library's usage figures, shared by the page, its CSV and the JSON API: read the query
from the address, read the figures, and write the audit row (who, which period, from which
route; never a figure). Aggregates with small cells hidden still come from patients' health
data, so each view is recorded as staff reads of that data are."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request

from wellness.caseload import usage
from wellness.caseload.usage_rules import SessionUsage, UsageQuery, default_period, parse_query
from wellness.catalog.kinds import Kind
from wellness.catalog.models import PracticeSession
from wellness.settings import Settings
from wellness.web.auditing import record_action

VIEWED = "library_usage_viewed"
EXPORTED = "library_usage_exported"
KINDS = frozenset(kind.value for kind in Kind)


def today(settings: Settings, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.clinic_timezone)).date()


def usage_query(
    params: Mapping[str, str], settings: Settings, now: datetime
) -> tuple[UsageQuery, dict[str, str]]:
    """The query `params` (the address's) ask for, and its problems by parameter name."""
    return parse_query(params, today=today(settings, now), kinds=KINDS)


async def read_usage(
    request: Request[Any, Any, Any], query: UsageQuery, *, settings: Settings, now: datetime
) -> usage.UsageReport:
    found = await usage.library_usage(
        query, zone=settings.clinic_timezone, policy=settings.care, now=now
    )
    await record_action(request, VIEWED, target_type="library", detail=query.described(), now=now)
    return found


async def export_usage(
    request: Request[Any, Any, Any], query: UsageQuery, *, settings: Settings, now: datetime
) -> list[SessionUsage]:
    rows = await usage.usage_rows(
        query, zone=settings.clinic_timezone, policy=settings.care, now=now
    )
    await record_action(request, EXPORTED, target_type="library", detail=query.described(), now=now)
    return rows


async def session_figures(
    request: Request[Any, Any, Any],
    session: PracticeSession,
    *,
    settings: Settings,
    now: datetime,
) -> tuple[UsageQuery, SessionUsage]:
    """One session's figures over the default period (its edit page shows them), audited as a
    view of the table's row for it; with the query of the whole table for that period."""
    query = UsageQuery(default_period(today(settings, now)))
    found = await usage.session_usage(
        session, query.period, zone=settings.clinic_timezone, policy=settings.care, now=now
    )
    await record_action(
        request,
        VIEWED,
        target_type="session",
        target_id=session.id,
        detail=query.described(),
        now=now,
    )
    return query, found
