"""The account list's filters, read from its address's query (`?role=patient&status=active&
therapist=none&page=2`) or from its posted form. Pure: the standard library and the roles only.

The search is not one of them: a name or e-mail address typed into it must not stand in a URL
(browser histories, access logs), so it is posted and kept in the session (web/kept_searches.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from wellness.accounts.roles import Role
from wellness.lib.numbers import ascii_digits

# The page numbers a link may name (the list is clamped to the pages there are).
MAX_PAGE = 100_000
# The parameters the filters read, in the order a link names them.
PARAMETERS = ("role", "status", "therapist", "page")
ANY = "any"
# `therapist=none`: the patients no active therapist sees (care.services has the definition).
NO_THERAPIST = "none"
SEARCH = "q"
# The longest search kept or taken (the page cuts a longer one; the API refuses it).
MAX_SEARCH = 200
# Their names on pages, where a problem is listed beside the parameter it concerns.
LABELS = {
    "role": "Role",
    "status": "Status",
    "therapist": "Therapist",
    "page": "Page",
    SEARCH: "Search",
}


class AccountStatus(StrEnum):
    ANY = ANY
    ACTIVE = "active"
    # Active, invited by e-mail and no password chosen yet (among the active ones).
    INVITED = "invited"
    DEACTIVATED = "deactivated"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_active(self) -> bool | None:
        """The accounts' `is_active` this status asks for (None: either)."""
        return None if self is AccountStatus.ANY else self is not AccountStatus.DEACTIVATED


@dataclass(frozen=True, slots=True)
class AccountFilter:
    role: Role | None = None
    status: AccountStatus = AccountStatus.ANY
    no_therapist: bool = False
    page: int = 1

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the page does not)."""
        return self.role is not None or self.status.is_active is not None or self.no_therapist

    def params(self) -> dict[str, str]:
        """The filters as query parameters, those left at "any" omitted; no page."""
        pairs = {
            "role": self.role.value if self.role else "",
            "status": "" if self.status is AccountStatus.ANY else self.status.value,
            "therapist": NO_THERAPIST if self.no_therapist else "",
        }
        return {key: value for key, value in pairs.items() if value}

    def query(self) -> str:
        """The list's query string for these filters and this page ("" for the whole list)."""
        pairs = self.params() | ({"page": str(self.page)} if self.page > 1 else {})
        return urlencode(pairs)

    def described(self) -> str:
        """The filters in words for the result count, e.g. "patients, active, no therapist"."""
        words = [f"{self.role.label.lower()}s" if self.role else ""]
        words.append("" if self.status is AccountStatus.ANY else self.status.value)
        words.append("no active therapist" if self.no_therapist else "")
        return ", ".join(word for word in words if word)


def parse(
    pairs: Iterable[tuple[str, str]], *, posted: bool = False
) -> tuple[AccountFilter, dict[str, str]]:
    """The filter from the query's pairs (or the `posted` form's), and the problems by
    parameter ({} when all is well). Other parameters are ignored, but a search in the address:
    it is refused, not quietly left out. An empty value or "any" means no filter."""
    given: dict[str, list[str]] = {}
    searched = False
    for key, value in pairs:
        if key in PARAMETERS:
            given.setdefault(key, []).append(value.strip())
        searched = searched or key == SEARCH
    errors = {key: "Give it once." for key, values in given.items() if len(values) > 1}
    if searched and not posted:
        errors[SEARCH] = (
            "A search is not read from the page's address, so that no name or e-mail address "
            "stands in it: type it into the search box."
        )
    text = {key: values[0] for key, values in given.items() if key not in errors}
    found = AccountFilter(
        role=_role(text.get("role", ""), errors),
        status=_status(text.get("status", ""), errors),
        no_therapist=_no_therapist(text.get("therapist", ""), errors),
        page=_page(text.get("page", ""), errors),
    )
    return found, errors


def _role(text: str, errors: dict[str, str]) -> Role | None:
    if text in ("", ANY):
        return None
    if text in {role.value for role in Role}:
        return Role(text)
    errors["role"] = "Choose one of the listed roles."
    return None


def _status(text: str, errors: dict[str, str]) -> AccountStatus:
    if text in {status.value for status in AccountStatus}:
        return AccountStatus(text)
    if text:
        errors["status"] = "Choose active, invited, deactivated or any status."
    return AccountStatus.ANY


def _no_therapist(text: str, errors: dict[str, str]) -> bool:
    if text in ("", ANY):
        return False
    if text == NO_THERAPIST:
        return True
    errors["therapist"] = f"Use “{NO_THERAPIST}” for patients no active therapist sees."
    return False


def _page(text: str, errors: dict[str, str]) -> int:
    if not text:
        return 1
    number = ascii_digits(text, max_digits=len(str(MAX_PAGE)))
    if number is not None and 1 <= number <= MAX_PAGE:
        return number
    errors["page"] = "That page number doesn't exist."
    return 1
