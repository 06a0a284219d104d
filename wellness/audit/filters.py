"""The audit page's filters, read from text the way an admin types them. Pure: stdlib only.

Dates are days in the clinic's time zone, both ends included; `bounds` turns them into the
UTC instants the query compares with (a local day may be 23 or 25 hours long across DST).
A person or patient is an account id or an e-mail address; the service resolves e-mails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from wellness.lib.days import local_midnight, read_day

MAX_ID = 2**31 - 1
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
ACTION = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ID = re.compile(r"[0-9]{1,10}")
# At most 254 characters, as addresses are, and no control character (PostgreSQL refuses a NUL
# in a query's text, so one would never reach it anyway).
_EMAIL = re.compile(r"(?=.{3,254}$)[^@\s\x00-\x1f\x7f]{1,200}@[^@\s\x00-\x1f\x7f]{1,200}")
FIELDS = ("person", "patient", "action", "since", "until")


@dataclass(frozen=True, slots=True)
class Who:
    """An account as typed: by id, or by e-mail (resolved later)."""

    account_id: int | None = None
    email: str = ""

    @property
    def text(self) -> str:
        return str(self.account_id) if self.account_id is not None else self.email


@dataclass(frozen=True, slots=True)
class AuditFilter:
    person: Who | None = None
    patient: Who | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None
    before: int | None = None  # keyset paging: rows with a smaller id (older)
    after: int | None = None  # rows with a larger id (newer)
    per_page: int = DEFAULT_PER_PAGE

    @property
    def active(self) -> bool:
        return any((self.person, self.patient, self.action, self.since, self.until))

    def values(self) -> dict[str, str]:
        """The filters as the form shows them (no paging)."""
        return {
            "person": self.person.text if self.person else "",
            "patient": self.patient.text if self.patient else "",
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }

    def query(self, **paging: int) -> str:
        """The query string for these filters and the given paging (before=, after=)."""
        pairs = [(key, value) for key, value in self.values().items() if value]
        if self.per_page != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(self.per_page)))
        pairs += [(key, str(value)) for key, value in paging.items()]
        return urlencode(pairs)

    def first_page(self) -> AuditFilter:
        return replace(self, before=None, after=None)


def bounds(
    since: date | None, until: date | None, zone: str
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC for local days `since`..`until` (inclusive) in `zone`."""
    start = local_midnight(since, zone) if since else None
    end = local_midnight(until + timedelta(days=1), zone) if until is not None else None
    return start, end


def _who(text: str, field: str, errors: dict[str, str]) -> Who | None:
    if not text:
        return None
    if _ID.fullmatch(text):
        number = int(text)
        if 1 <= number <= MAX_ID:
            return Who(account_id=number)
    elif _EMAIL.fullmatch(text):
        return Who(email=text.lower())
    errors[field] = "Give an account id (digits) or an e-mail address."
    return None


def _number(text: str, field: str, errors: dict[str, str], low: int, high: int) -> int | None:
    if not text:
        return None
    if _ID.fullmatch(text) and low <= int(text) <= high:
        return int(text)
    errors[field] = f"Give a whole number from {low} to {high}."
    return None


def parse(
    params: Mapping[str, str], known_actions: frozenset[str]
) -> tuple[AuditFilter, dict[str, str]]:
    """The filter, and the problems by field name ({} when all is well)."""
    errors: dict[str, str] = {}
    text = {
        key: str(params.get(key, "")).strip() for key in (*FIELDS, "before", "after", "per_page")
    }
    action = text["action"]
    if action and (not ACTION.fullmatch(action) or action not in known_actions):
        errors["action"] = "Choose one of the listed actions."
        action = ""
    since = read_day(text["since"], "since", errors)
    until = read_day(text["until"], "until", errors)
    if since and until and since > until:
        errors["until"] = "The end date is before the start date."
    per_page = _number(text["per_page"], "per_page", errors, 1, MAX_PER_PAGE)
    found = AuditFilter(
        person=_who(text["person"], "person", errors),
        patient=_who(text["patient"], "patient", errors),
        action=action,
        since=since,
        until=until,
        before=_number(text["before"], "before", errors, 1, 2**63 - 1),
        after=_number(text["after"], "after", errors, 1, 2**63 - 1),
        per_page=per_page or DEFAULT_PER_PAGE,
    )
    if found.before is not None and found.after is not None:
        errors["after"] = "Page either forwards or backwards, not both."
    return found, errors
