"""Reading and showing the assignment form: errors by field name, values put back as typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar.datastructures import FormMultiDict
from litestar.response import Template

from wellness.accounts.models import User
from wellness.care.schedule import Frequency, PartOfDay
from wellness.caseload.assignment_targets import CollectionChoice, SessionChoice
from wellness.caseload.assignments import MAX_NOTE, AssignmentInput
from wellness.catalog.kinds import Kind
from wellness.lib.days import iso_day
from wellness.lib.numbers import record_id, whole_number
from wellness.lib.validation import FieldError
from wellness.practice.rules import MAX_PRACTICE_MINUTES

FORM = "care/assignments/form.html"
WEEKDAYS = (
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
)
LABELS = {
    "target": "What to practise",
    "session_id": "Session",
    "collection_id": "Collection",
    "kind": "Kind of practice",
    "min_minutes": "Shortest",
    "max_minutes": "Longest",
    "frequency": "How often",
    "times_a_week": "Times a week",
    "weekdays": "Days of the week",
    "part_of_day": "Part of the day",
    "start": "Start",
    "end": "End",
    "note": "Note to the patient",
}


def _number(form: FormMultiDict, name: str, errors: dict[str, str], high: int) -> int | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        errors[name] = f"Enter a whole number from 1 to {high}."
        return None
    try:
        return whole_number(raw, field=name, low=1, high=high)
    except FieldError as problem:
        errors[name] = problem.message
        return None


def _day(form: FormMultiDict, name: str, errors: dict[str, str]) -> date | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        return None
    day = iso_day(raw)
    if day is None:
        errors[name] = "Enter a date like 2026-12-01."
    return day


def _target(form: FormMultiDict, errors: dict[str, str]) -> dict[str, Any]:
    choice = str(form.get("target", ""))
    if choice == "session":
        try:
            return {"session_id": record_id(str(form.get("session_id", "")), field="session_id")}
        except FieldError:
            errors["session_id"] = "Choose a session."
            return {}
    if choice == "collection":
        try:
            raw = str(form.get("collection_id", ""))
            return {"collection_id": record_id(raw, field="collection_id")}
        except FieldError:
            errors["collection_id"] = "Choose a collection."
            return {}
    if choice == "kind":
        kind = str(form.get("kind", ""))
        if kind not in {item.value for item in Kind}:
            errors["kind"] = "Choose a kind of practice."
        return {
            "kind": kind,
            "min_minutes": _number(form, "min_minutes", errors, MAX_PRACTICE_MINUTES),
            "max_minutes": _number(form, "max_minutes", errors, MAX_PRACTICE_MINUTES),
        }
    errors["target"] = "Choose a specific session, any session of a kind, or a collection."
    return {}


def _schedule(form: FormMultiDict, errors: dict[str, str]) -> dict[str, Any]:
    frequency = str(form.get("frequency", ""))
    if frequency not in {item.value for item in Frequency}:
        errors["frequency"] = "Choose daily, a number of times a week, or days of the week."
        return {}
    found: dict[str, Any] = {"frequency": frequency}
    if frequency == Frequency.TIMES_A_WEEK:
        found["times_a_week"] = _number(form, "times_a_week", errors, 7) or 0
    if frequency == Frequency.WEEKDAYS:
        chosen = {str(value) for value in form.getall("weekdays", [])}
        days = tuple(day for day, _ in WEEKDAYS if str(day) in chosen)
        if not days or len(days) != len(chosen):
            errors["weekdays"] = "Choose at least one day of the week."
        found["weekdays"] = days
    return found


def read_form(form: FormMultiDict, errors: dict[str, str]) -> AssignmentInput | None:
    """The form as an AssignmentInput, or None with `errors` filled in."""
    fields = {**_target(form, errors), **_schedule(form, errors)}
    part = str(form.get("part_of_day", ""))
    if part and part not in {item.value for item in PartOfDay}:
        errors["part_of_day"] = "Choose a part of the day, or any time."
    note = str(form.get("note", "")).strip()
    if len(note) > MAX_NOTE:
        errors["note"] = f"Keep the note under {MAX_NOTE} characters."
    start, end = _day(form, "start", errors), _day(form, "end", errors)
    if errors:
        return None
    return AssignmentInput(**fields, part_of_day=part, start=start, end=end, note=note)


def values_of(entry: AssignmentInput) -> dict[str, Any]:
    """A stored version's input as the form's values."""
    return {
        "target": _target_of(entry),
        "session_id": str(entry.session_id or ""),
        "collection_id": str(entry.collection_id or ""),
        "kind": entry.kind,
        "min_minutes": str(entry.min_minutes or ""),
        "max_minutes": str(entry.max_minutes or ""),
        "frequency": entry.frequency,
        "times_a_week": str(entry.times_a_week or ""),
        "weekdays": [str(day) for day in entry.weekdays],
        "part_of_day": entry.part_of_day,
        "start": entry.start.isoformat() if entry.start else "",
        "end": entry.end.isoformat() if entry.end else "",
        "note": entry.note,
    }


def _target_of(entry: AssignmentInput) -> str:
    if entry.session_id is not None:
        return "session"
    return "collection" if entry.collection_id is not None else "kind"


def typed(form: FormMultiDict) -> dict[str, Any]:
    found: dict[str, Any] = {key: str(value) for key, value in form.items()}
    found["weekdays"] = [str(value) for value in form.getall("weekdays", [])]
    return found


def assignment_form(
    *,
    user: User,
    patient: User,
    sessions: list[SessionChoice],
    collections: list[CollectionChoice],
    values: dict[str, Any],
    errors: dict[str, str],
    action: str,
    assignment: Any = None,
    status: int = 200,
) -> Template:
    context = {
        "user": user,
        "patient": patient,
        "sessions": sessions,
        "collections": collections,
        "values": values,
        "errors": errors,
        "action": action,
        "assignment": assignment,
        "kinds": list(Kind),
        "parts": list(PartOfDay),
        "weekdays": WEEKDAYS,
        "labels": LABELS,
        "max_note": MAX_NOTE,
    }
    return Template(FORM, context=context, status_code=status)


def given_fields(entry: AssignmentInput) -> dict[str, Any]:
    """The whole form replaces the current version (a form always sends every field)."""
    return {
        "session_id": entry.session_id,
        "collection_id": entry.collection_id,
        "kind": entry.kind,
        "min_minutes": entry.min_minutes,
        "max_minutes": entry.max_minutes,
        "frequency": entry.frequency,
        "times_a_week": entry.times_a_week,
        "weekdays": entry.weekdays,
        "part_of_day": entry.part_of_day,
        "start": entry.start,
        "end": entry.end,
        "note": entry.note,
    }
