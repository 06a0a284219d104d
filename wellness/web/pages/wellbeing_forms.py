"""Reading the check-in, GAD-7 and practice forms: each helper collects errors by field name."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar.datastructures import FormMultiDict

from wellness.catalog.kinds import Kind
from wellness.checkins.scoring import GAD7_ITEMS, SUDS_MAX, SUDS_MIN
from wellness.lib.numbers import record_id, whole_number
from wellness.lib.validation import FieldError


def level(form: FormMultiDict, name: str, errors: dict[str, str], *, required: bool) -> int | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        if required:
            errors[name] = "Choose a number from 0 (calm) to 10 (the worst distress)."
        return None
    try:
        return whole_number(
            raw, field=name, low=SUDS_MIN, high=SUDS_MAX, message="Choose a number from 0 to 10."
        )
    except FieldError as problem:
        errors[name] = problem.message
        return None


def text(form: FormMultiDict, name: str) -> str:
    return str(form.get(name, ""))


def tags(form: FormMultiDict) -> list[str]:
    return [str(value) for value in form.getall("tags", [])]


def gad7_answers(form: FormMultiDict, errors: dict[str, str]) -> list[int]:
    answers: list[int] = []
    for index in range(len(GAD7_ITEMS)):
        raw = str(form.get(f"q{index}", "")).strip()
        if raw not in {"0", "1", "2", "3"}:
            errors[f"q{index}"] = f"Choose an answer for question {index + 1}."
            continue
        answers.append(int(raw))
    return answers


def kind(form: FormMultiDict, errors: dict[str, str]) -> Kind | None:
    try:
        return Kind(str(form.get("kind", "")))
    except ValueError:
        errors["kind"] = "Choose what kind of practice it was."
        return None


def minutes(form: FormMultiDict, errors: dict[str, str]) -> int | None:
    message = "Give the minutes practised, from 1 to 360."
    try:
        return whole_number(
            str(form.get("minutes", "")), field="minutes", low=1, high=360, message=message
        )
    except FieldError as problem:
        errors["minutes"] = problem.message
        return None


def local_moment(
    form: FormMultiDict, name: str, time_zone: str, errors: dict[str, str]
) -> datetime | None:
    """A `datetime-local` value read in the person's own zone (an ambiguous time during a DST
    change takes the first occurrence)."""
    raw = str(form.get(name, "")).strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = "Give the date and time, e.g. 2026-11-24 18:30."
        return None
    if moment.tzinfo is not None:
        errors[name] = "Give a local date and time without a zone."
        return None
    return moment.replace(tzinfo=ZoneInfo(time_zone))


def session_id(form: FormMultiDict, errors: dict[str, str]) -> int | None:
    try:
        return record_id(
            str(form.get("session_id", "")), field="session_id", message="Choose a session."
        )
    except FieldError as problem:
        errors["session_id"] = problem.message
        return None
