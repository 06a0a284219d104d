"""Reading the check-in, GAD-7 and practice forms: each helper collects errors by field name."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar.datastructures import FormMultiDict

from wellness.catalog.kinds import Kind
from wellness.checkins.scoring import GAD7_ITEMS, SUDS_MAX, SUDS_MIN


def level(form: FormMultiDict, name: str, errors: dict[str, str], *, required: bool) -> int | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        if required:
            errors[name] = "Choose a number from 0 (calm) to 10 (the worst distress)."
        return None
    if not raw.isdigit() or not SUDS_MIN <= int(raw) <= SUDS_MAX:
        errors[name] = "Choose a number from 0 to 10."
        return None
    return int(raw)


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
    raw = str(form.get("minutes", "")).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 360:
        errors["minutes"] = "Give the minutes practised, from 1 to 360."
        return None
    return int(raw)


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
    raw = str(form.get("session_id", "")).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        errors["session_id"] = "Choose a session."
        return None
    return int(raw)
