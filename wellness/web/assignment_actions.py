"""Shared by the assigned-practice pages and API: the change itself and its audit row (who,
which patient, what, from which route; never the note)."""

from __future__ import annotations

import dataclasses
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException

from wellness.accounts.models import User
from wellness.care.models import PracticeAssignment
from wellness.caseload import assignments as service
from wellness.caseload.assignments import AssignmentError, AssignmentInput
from wellness.web.auditing import record_action
from wellness.web.dependencies import SignedInCall

ACTIONS = ("change", "pause", "resume", "end")


async def audit_assignment(
    request: Request[Any, Any, Any], action: str, assignment: PracticeAssignment
) -> None:
    await record_action(
        request,
        action,
        target_type="assignment",
        target_id=assignment.id,
        patient_id=assignment.patient_id,
    )


def changed(current: AssignmentInput, given: dict[str, Any]) -> AssignmentInput:
    """The current version's input with the given fields replaced. Naming a session, a kind or
    a collection drops the others (a kind's minutes go with it)."""
    if given.get("session_id") is not None:
        current = dataclasses.replace(
            current, kind="", min_minutes=None, max_minutes=None, collection_id=None
        )
    elif given.get("collection_id") is not None:
        current = dataclasses.replace(
            current, session_id=None, kind="", min_minutes=None, max_minutes=None
        )
    elif given.get("kind"):
        current = dataclasses.replace(current, session_id=None, collection_id=None)
    return dataclasses.replace(current, **given)


async def create(call: SignedInCall, patient: User, entry: AssignmentInput) -> PracticeAssignment:
    assignment = await service.create_assignment(
        patient, entry, by=call.user, policy=call.policy, now=call.now
    )
    await audit_assignment(call.request, "assignment_created", assignment)
    return assignment


async def act(
    call: SignedInCall, assignment: PracticeAssignment, action: str, given: dict[str, Any]
) -> None:
    """Change, pause, resume or end; 409 when the assignment's state refuses it (FieldError,
    for bad input, passes through)."""
    by, policy, now = call.user, call.policy, call.now
    try:
        if action == "change":
            current = service.input_of(await service.latest_version(assignment))
            entry = changed(current, given)
            await service.change_assignment(assignment, entry, by=by, policy=policy, now=now)
        elif action == "pause":
            await service.pause_assignment(assignment, policy=policy, now=now)
        elif action == "resume":
            await service.resume_assignment(assignment, policy=policy, now=now)
        else:
            await service.end_assignment(assignment, by=by, policy=policy, now=now)
    except AssignmentError as refused:
        raise HTTPException(status_code=409, detail=str(refused)) from None
    await audit_assignment(call.request, f"assignment_{_past(action)}", assignment)


def _past(action: str) -> str:
    return {"change": "changed", "pause": "paused", "resume": "resumed", "end": "ended"}[action]
