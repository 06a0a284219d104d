"""Reading the check-in, GAD-7 and practice forms: each helper collects errors by field name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from litestar.datastructures import FormMultiDict
from litestar.response import Template

from wellness.caseload import attendance
from wellness.catalog.kinds import Kind
from wellness.checkins.scoring import GAD7_ANSWERS, GAD7_ITEMS, SUDS_MAX, SUDS_MIN
from wellness.lib.numbers import record_id, whole_number
from wellness.lib.validation import FieldError
from wellness.practice import rules
from wellness.practice.rules import PracticeKind
from wellness.web.dependencies import SignedInCall


def level(form: FormMultiDict, name: str, errors: dict[str, str], *, required: bool) -> int | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        if required:
            errors[name] = (
                f"Choose a number from {SUDS_MIN} (calm) to {SUDS_MAX} (the worst distress)."
            )
        return None
    try:
        message = f"Choose a number from {SUDS_MIN} to {SUDS_MAX}."
        return whole_number(raw, field=name, low=SUDS_MIN, high=SUDS_MAX, message=message)
    except FieldError as problem:
        errors[name] = problem.message
        return None


def text(form: FormMultiDict, name: str) -> str:
    return str(form.get(name, ""))


def values(form: FormMultiDict) -> dict[str, str]:
    """What was typed, to put back into a form shown again with errors."""
    return {key: str(value) for key, value in form.items()}


def tags(form: FormMultiDict) -> list[str]:
    return [str(value) for value in form.getall("tags", [])]


_GAD7_CHOICES = {str(value) for value in range(len(GAD7_ANSWERS))}


def gad7_answers(form: FormMultiDict, errors: dict[str, str]) -> list[int]:
    answers: list[int] = []
    for index in range(len(GAD7_ITEMS)):
        raw = str(form.get(f"q{index}", "")).strip()
        if raw not in _GAD7_CHOICES:
            errors[f"q{index}"] = f"Choose an answer for question {index + 1}."
            continue
        answers.append(int(raw))
    return answers


KIND_MESSAGE = "Choose what kind of practice it was."


def kind(form: FormMultiDict, errors: dict[str, str]) -> Kind | None:
    """One of the catalog's kinds (what staff confirm attendance of)."""
    return _one_of(Kind, form, errors)


def practice_kind(form: FormMultiDict, errors: dict[str, str]) -> PracticeKind | None:
    """One of the catalog's kinds or Other (what a patient logs)."""
    return _one_of(PracticeKind, form, errors)


K = TypeVar("K", Kind, PracticeKind)


def _one_of(kinds: type[K], form: FormMultiDict, errors: dict[str, str]) -> K | None:
    try:
        return kinds(str(form.get("kind", "")))
    except ValueError:
        errors["kind"] = KIND_MESSAGE
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
    if not raw:  # also what a browser sends for a half-filled date and time control
        errors[name] = "Enter the date and the time in full: day, month, year, hour and minute."
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = "That is not a date and time: choose one with the date and time control."
        return None
    if moment.tzinfo is not None:
        errors[name] = "Enter a date and time without a time zone."
        return None
    return moment.replace(tzinfo=ZoneInfo(time_zone))


@dataclass(frozen=True, slots=True)
class MomentField:
    """A `datetime-local` control's prefill (now) and limits, as wall-clock values in a zone."""

    value: str
    min: str
    max: str


def moment_field(now: datetime, time_zone: str, *, backdate_days: int) -> MomentField:
    """Now in `time_zone`; the earliest minute the back-dating limit still allows; now again."""
    zone = ZoneInfo(time_zone)
    earliest = now - timedelta(days=backdate_days) + timedelta(seconds=59)
    return MomentField(
        _control_value(now.astimezone(zone)),
        _control_value(earliest.astimezone(zone)),
        _control_value(now.astimezone(zone)),
    )


def _control_value(moment: datetime) -> str:
    """The format a `datetime-local` control sends and accepts (minutes, no zone)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True, slots=True)
class PracticeEntry:
    """A practice done away from the player: self-reported by a patient or attested by staff."""

    kind: Kind
    minutes: int
    started_at: datetime
    note: str


def practice_entry(
    form: FormMultiDict, time_zone: str, errors: dict[str, str]
) -> PracticeEntry | None:
    """The practice form's fields, its start time read in `time_zone` (the zone of whoever
    typed it, as `practice_form` prefilled it); None when `errors` names a field."""
    kind_ = kind(form, errors)
    minutes_ = minutes(form, errors)
    started_at = local_moment(form, "started_at", time_zone, errors)
    if kind_ is None or minutes_ is None or started_at is None:
        return None
    return PracticeEntry(kind_, minutes_, started_at, text(form, "note"))


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    """A practice a patient logs: a `PracticeEntry` whose kind may be Other, with the name the
    patient gave it."""

    kind: PracticeKind
    other_label: str
    minutes: int
    started_at: datetime
    note: str


def logged_entry(form: FormMultiDict, time_zone: str, errors: dict[str, str]) -> LoggedEntry | None:
    """The log-a-practice form's fields, as `practice_entry` reads them, and the practice's name
    (`other_label`, for Other only); None when `errors` names a field."""
    kind_ = practice_kind(form, errors)
    label = ""
    if kind_ is not None:
        try:
            label = rules.clean_other_label(kind_, text(form, "other_label"))
        except FieldError as problem:
            errors[problem.field] = problem.message
    minutes_ = minutes(form, errors)
    started_at = local_moment(form, "started_at", time_zone, errors)
    if kind_ is None or minutes_ is None or started_at is None or errors:
        return None
    return LoggedEntry(kind_, label, minutes_, started_at, text(form, "note"))


def attendee_ids(form: FormMultiDict, errors: dict[str, str]) -> list[int]:
    """The patients ticked on the group attendance form (`patient_ids`), or with "Everyone
    listed" ticked (`everyone`), every patient the form listed (`listed`: not whoever is on the
    caseload by the time it is sent). Shape only (`attendance.check_ids`): the caseload is
    checked when they are loaded."""
    name = "listed" if form.get("everyone") else attendance.FIELD
    try:
        ids = [
            record_id(str(raw), field=attendance.FIELD, message="Tick patients from the list.")
            for raw in form.getall(name, [])
        ]
        attendance.check_ids(ids)
    except FieldError as problem:
        errors[problem.field] = problem.message
        return []
    return ids


def practice_form(
    template: str,
    call: SignedInCall,
    errors: dict[str, str],
    typed: dict[str, str],
    *,
    status: int = 200,
    **extra: Any,
) -> Template:
    """A practice form (self-report or attestation): the kinds, what was typed, and the start
    time prefilled in the zone `practice_entry` reads it in (the user's own)."""
    context = {
        "user": call.user,
        "kinds": list(Kind),
        "errors": errors,
        "values": typed,
        "when": moment_field(
            call.now, call.user.time_zone, backdate_days=call.policy.backdate_days
        ),
        **extra,
    }
    return Template(template, context=context, status_code=status)


def session_id(form: FormMultiDict, errors: dict[str, str]) -> int | None:
    try:
        return record_id(
            str(form.get("session_id", "")), field="session_id", message="Choose a session."
        )
    except FieldError as problem:
        errors["session_id"] = problem.message
        return None


def suggestion_id(form: FormMultiDict, errors: dict[str, str]) -> int | None:
    """The list of suggestions a session was started from (a hidden field), if any."""
    text = str(form.get("suggestion_id", ""))
    if not text:
        return None
    try:
        return record_id(text, field="suggestion_id", message="That suggestion is not valid.")
    except FieldError as problem:
        errors["suggestion_id"] = problem.message
        return None
