"""Pure rules for collections (programmes of sessions): what their fields may hold, the order
of their sessions, which session a patient does next, and how far they are through one.

A collection moves between statuses as a session does (`kinds.can_transition`) and is deleted
under the sessions' rule (`rules.check_deletable`); its title and description are cleaned by
the sessions' rules with the collection's own limits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from wellness.catalog import rules
from wellness.catalog.kinds import Status, can_transition
from wellness.catalog.rules import CatalogError

MAX_TITLE = 120
MAX_DESCRIPTION = 2_000
MIN_SESSIONS = 1
MAX_SESSIONS = 50
# What the collection's list of sessions is called in forms and bodies, and in refusals.
SESSIONS_FIELD = "session_ids"
# Ids named in one message, at most; the rest are counted.
NAMED_IDS = 5


def clean_title(value: str) -> str:
    return rules.clean_title(value, MAX_TITLE)


def clean_description(value: str) -> str:
    return rules.clean_text("description", value, MAX_DESCRIPTION)


def title_key(title: str) -> str:
    """What two titles that differ only in case share: the key live collections keep unique."""
    return title.casefold()


def clean_session_ids(ids: Sequence[int]) -> list[int]:
    """The collection's sessions in order: 1 to MAX_SESSIONS of them, none twice."""
    if len(ids) < MIN_SESSIONS:
        raise CatalogError(SESSIONS_FIELD, "Add at least one session.")
    if len(ids) > MAX_SESSIONS:
        raise CatalogError(
            SESSIONS_FIELD,
            f"A collection holds at most {MAX_SESSIONS} sessions; it has {len(ids)}.",
        )
    seen: set[int] = set()
    twice: set[int] = set()
    for session_id in ids:
        (twice if session_id in seen else seen).add(session_id)
    if twice:
        raise CatalogError(
            SESSIONS_FIELD,
            f"Each session can be in a collection once: {ids_in_words(sorted(twice))} "
            f"{'is' if len(twice) == 1 else 'are'} listed more than once.",
        )
    return list(ids)


def ids_in_words(ids: Sequence[int]) -> str:
    """“7”, “7 and 9”, “7, 9, 12 and 3 more”: ids as a sentence names them."""
    named = [str(session_id) for session_id in ids[:NAMED_IDS]]
    rest = len(ids) - len(named)
    if rest:
        named.append(f"{rest} more")
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def unknown_sessions(ids: Sequence[int]) -> CatalogError:
    """The refusal of a list naming sessions that do not exist."""
    if len(ids) == 1:
        return CatalogError(SESSIONS_FIELD, f"No session has the id {ids[0]}.")
    return CatalogError(SESSIONS_FIELD, f"No sessions have the ids {ids_in_words(ids)}.")


def archived_added(titles: Sequence[str]) -> CatalogError:
    """The refusal of archived sessions a collection did not hold already: patients can no
    longer open them. (One it held before it was archived may stay, hidden from patients.)"""
    verb = "is" if len(titles) == 1 else "are"
    return CatalogError(
        SESSIONS_FIELD,
        f"{rules.titles_in_words(titles)} {verb} archived: add draft or published sessions only.",
    )


def check_transition(current: Status, target: Status) -> None:
    if not can_transition(current, target):
        raise CatalogError("status", f"A {current.value} collection can't become {target.value}.")


def check_publishable(published_sessions: int) -> None:
    """A collection patients would find empty is not published."""
    if published_sessions < 1:
        raise CatalogError(
            "status",
            "Publish at least one of its sessions first: patients see only the published "
            "sessions of a collection.",
        )


def check_deletable(title: str, status: Status, *, ever_published: bool) -> None:
    rules.check_deletable(title, status, ever_published=ever_published, code="collection_published")


def moved(ids: Sequence[int], index: int, step: int) -> list[int]:
    """`ids` with the one at `index` moved `step` places (-1 up, 1 down); unchanged when that
    would leave the list (or `index` is not in it)."""
    order = list(ids)
    target = index + step
    if not (0 <= index < len(order) and 0 <= target < len(order)):
        return order
    order[index], order[target] = order[target], order[index]
    return order


def next_session(order: Sequence[int], done: Collection[int], skip: Collection[int]) -> int | None:
    """The first session in `order` the patient has not done and is not asked to skip; None
    when none is left."""
    for session_id in order:
        if session_id not in done and session_id not in skip:
            return session_id
    return None


def next_or_again(order: Sequence[int], done: Collection[int], skip: Collection[int]) -> int | None:
    """`next_session`; once every session not to be skipped is done, the first of them again
    (an assigned programme begins again rather than leave nothing to start). None only when
    every session is to be skipped."""
    return next_session(order, done, skip) or next_session(order, (), skip)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a patient is through a collection's sessions (those they may see)."""

    done: int
    total: int
    next_session_id: int | None  # None when all are done, or all left are to be skipped

    @property
    def finished(self) -> bool:
        """Every session done (a collection with none to show is not finished)."""
        return self.total > 0 and self.done == self.total


def progress(order: Sequence[int], done: Collection[int], skip: Collection[int]) -> Progress:
    """The patient's progress through `order`: how many they have done (a session to skip that
    they did counts too), and the next as `next_session` chooses it."""
    completed = sum(1 for session_id in order if session_id in done)
    return Progress(completed, len(order), next_session(order, done, skip))
