"""Changes to a patient's contraindications, bans and pins that the pages and the JSON API share:
one service call and one audit row each (who, which patient, what, from which route; codes and
session ids only, never notes or scores)."""

from __future__ import annotations

from collections.abc import Iterable

from litestar.exceptions import NotFoundException

from wellness.accounts.models import User
from wellness.care import restrictions
from wellness.care.models import OverrideKind
from wellness.care.restriction_views import OverrideRow, override_of
from wellness.web.auditing import record_action, record_for_patient
from wellness.web.dependencies import SignedInCall

OVERRIDE_ACTIONS = {
    OverrideKind.BAN: "session_banned",
    OverrideKind.PIN: "session_pinned",
    None: "session_override_removed",
}


async def change_contraindications(
    call: SignedInCall, patient: User, codes: Iterable[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """(added, removed); FieldError names an unknown code. Audited only when something changed."""
    added, removed = await restrictions.set_contraindications(
        patient, codes, by=call.user, now=call.now
    )
    if added or removed:
        detail = f"added={','.join(sorted(added))};removed={','.join(sorted(removed))}"
        await record_for_patient(
            call.request, "contraindications_changed", patient.id, detail=detail, now=call.now
        )
    return added, removed


async def change_override(
    call: SignedInCall, patient: User, session_id: int, kind: OverrideKind | None
) -> bool:
    """Ban, pin or clear (None) a session for the patient; True when it changed (and audited)."""
    changed = await restrictions.set_override(patient, session_id, kind, by=call.user, now=call.now)
    if changed:
        await record_action(
            call.request,
            OVERRIDE_ACTIONS[kind],
            target_type="session",
            target_id=session_id,
            patient_id=patient.id,
            now=call.now,
        )
    return changed


async def remove_override(call: SignedInCall, patient: User, session_id: int) -> OverrideRow:
    """Lift the patient's ban or pin on a session; the row as it was (404 when there was none)."""
    row = await override_of(patient.id, session_id)
    if row is None:
        raise NotFoundException("No ban or pin for that session.")
    await change_override(call, patient, session_id, None)
    return row
