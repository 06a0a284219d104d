"""The admins' view of the audit trail: filtered, newest first, paged by id (keyset), and the
same rows streamed in batches for the CSV export. Reads only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime

from tortoise.queryset import QuerySet

from wellness.accounts.models import User
from wellness.audit.filters import AuditFilter, Who, bounds
from wellness.audit.models import AuditEvent
from wellness.lib.validation import FieldError, FieldErrors

# Actions the app records, so the filter offers them before the first one happens; any other
# action found in the table is offered too.
KNOWN_ACTIONS = frozenset(
    {
        "access_denied",
        "account_activated",
        "account_created",
        "account_deactivated",
        "account_invited",
        "account_updated",
        "alert_acknowledged",
        "assignment_changed",
        "assignment_created",
        "assignment_ended",
        "assignment_form_viewed",
        "assignment_paused",
        "assignment_resumed",
        "assignment_viewed",
        "assignments_viewed",
        "attest_form_viewed",
        "audit_exported",
        "care_assigned",
        "care_unassigned",
        "caseload_viewed",
        "collection_archived",
        "collection_created",
        "collection_deleted",
        "collection_followed",
        "collection_published",
        "collection_unfollowed",
        "collection_updated",
        "contraindications_changed",
        "csrf_refused",
        "invitation_accepted",
        "invitation_sent",
        "draft_previewed",
        "draft_reviewed",
        "login",
        "login_failed",
        "login_locked",
        "login_throttled",
        "logout",
        "library_usage_exported",
        "library_usage_viewed",
        "media_deleted",
        "media_uploaded",
        "not_found_for_viewer",
        "password_changed",
        "password_reset",
        "password_reset_done",
        "password_reset_requested",
        "password_reset_throttled",
        "patient_alerts_viewed",
        "patient_record_viewed",
        "practice_attested",
        "rate_limited",
        "restrictions_viewed",
        "role_changed",
        "session_archived",
        "session_banned",
        "session_created",
        "session_deleted",
        "session_override_removed",
        "session_pinned",
        "session_published",
        "session_saved",
        "session_unsaved",
        "session_updated",
    }
)
EXPORT_BATCH = 500


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    actor_email: str
    action: str
    patient_id: int | None
    patient_name: str
    target_type: str
    target_id: str
    route: str
    client: str
    detail: str


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditRow]
    newer: int | None  # `after=` for the page of newer rows, None on the newest page
    older: int | None  # `before=` for the page of older rows, None on the oldest page


@dataclass(frozen=True, slots=True)
class Resolved:
    """A filter with its people as account ids (an e-mail nobody has cannot match)."""

    filter: AuditFilter
    actor_id: int | None
    patient_id: int | None

    def by_ids(self) -> AuditFilter:
        """The filter with its people as account ids: what a link to it may carry (an e-mail
        address in a URL would reach browser histories and access logs)."""
        return replace(
            self.filter,
            person=None if self.actor_id is None else Who(account_id=self.actor_id),
            patient=None if self.patient_id is None else Who(account_id=self.patient_id),
        )


async def known_actions() -> frozenset[str]:
    # Ordered by the selected column: PostgreSQL refuses DISTINCT with the model's "-id".
    recorded = await AuditEvent.all().order_by("action").distinct().values_list("action", flat=True)
    return KNOWN_ACTIONS | {str(action) for action in recorded}


async def _account_id(who: Who | None, field: str) -> int | None:
    if who is None:
        return None
    if who.account_id is not None:
        return who.account_id
    found = await User.filter(email=who.email).values_list("id", flat=True)
    if not found:
        raise FieldError(field, "No account has that e-mail address.")
    return int(str(found[0]))


async def resolve(chosen: AuditFilter) -> Resolved:
    """The filter's people as ids; FieldErrors names the field of each unknown e-mail."""
    errors: dict[str, str] = {}
    ids: dict[str, int | None] = {}
    for field, who in (("person", chosen.person), ("patient", chosen.patient)):
        try:
            ids[field] = await _account_id(who, field)
        except FieldError as problem:
            errors[field] = problem.message
    if errors:
        raise FieldErrors(errors)
    return Resolved(chosen, ids["person"], ids["patient"])


def _filtered(resolved: Resolved, zone: str) -> QuerySet[AuditEvent]:
    chosen = resolved.filter
    query = AuditEvent.all()
    if resolved.actor_id is not None:
        query = query.filter(actor_id=resolved.actor_id)
    if resolved.patient_id is not None:
        query = query.filter(patient_id=resolved.patient_id)
    if chosen.action:
        query = query.filter(action=chosen.action)
    start, end = bounds(chosen.since, chosen.until, zone)
    if start is not None:
        query = query.filter(occurred_at__gte=start)
    if end is not None:
        query = query.filter(occurred_at__lt=end)
    return query


async def page(resolved: Resolved, zone: str) -> AuditPage:
    """One page, newest first; `before`/`after` in the filter pick which one."""
    chosen = resolved.filter
    size = chosen.per_page
    query = _filtered(resolved, zone)
    if chosen.after is not None:
        events = list(
            reversed(await query.filter(id__gt=chosen.after).order_by("id").limit(size + 1))
        )
        more_newer = len(events) > size
        events = events[-size:] if more_newer else events
        more_older = True
    else:
        if chosen.before is not None:
            query = query.filter(id__lt=chosen.before)
        events = await query.order_by("-id").limit(size + 1)
        more_older = len(events) > size
        events = events[:size]
        more_newer = chosen.before is not None
    rows = await _rows(events)
    if not rows:
        return AuditPage([], None, None)
    if chosen.after is not None and not more_older:
        more_older = await query.filter(id__lt=rows[-1].id).exists()
    if chosen.before is not None:
        more_newer = await _filtered(resolved, zone).filter(id__gt=rows[0].id).exists()
    return AuditPage(
        rows,
        newer=rows[0].id if more_newer else None,
        older=rows[-1].id if more_older else None,
    )


async def export_rows(resolved: Resolved, zone: str) -> AsyncIterator[AuditRow]:
    """Every row the filter matches, newest first, read EXPORT_BATCH at a time."""
    query = _filtered(replace(resolved, filter=resolved.filter.first_page()), zone)
    before: int | None = None
    while True:
        batch = query if before is None else query.filter(id__lt=before)
        events = await batch.order_by("-id").limit(EXPORT_BATCH)
        for row in await _rows(events):
            yield row
        if len(events) < EXPORT_BATCH:
            return
        before = events[-1].id


async def _rows(events: list[AuditEvent]) -> list[AuditRow]:
    ids = {event.actor_id for event in events} | {event.patient_id for event in events}
    people = {
        int(pk): (str(name), str(email))
        for pk, name, email in await User.filter(
            id__in=[pk for pk in ids if pk is not None]
        ).values_list("id", "display_name", "email")
    }
    nobody = ("", "")
    return [
        AuditRow(
            id=event.id,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_name=people.get(event.actor_id or 0, nobody)[0],
            actor_email=people.get(event.actor_id or 0, nobody)[1],
            action=event.action,
            patient_id=event.patient_id,
            patient_name=people.get(event.patient_id or 0, nobody)[0],
            target_type=event.target_type,
            target_id=event.target_id,
            route=event.route,
            client=event.client,
            detail=event.detail,
        )
        for event in events
    ]
