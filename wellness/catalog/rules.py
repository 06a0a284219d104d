"""Pure rules for catalog input: what a session's fields may hold."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from wellness.catalog import transcripts
from wellness.catalog.kinds import Status
from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN
from wellness.lib.text import one_line
from wellness.lib.validation import FieldError

MAX_TITLE = 200
MAX_INSTRUCTOR = 120
MAX_DESCRIPTION = 5_000
MAX_TRANSCRIPT = 200_000
MAX_TAGS = 20
MAX_TAG = 48
_TAG_SHAPE = re.compile(r"^[a-z0-9][a-z0-9 \-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_SEARCH_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_TOKENS = 8
# The longest search text a page or the API takes.
MAX_SEARCH_TEXT = 200


class CatalogError(FieldError):
    """Catalog input we refuse, naming the field at fault."""


class CatalogConflict(Exception):
    """A change the catalog's records refuse as they stand (answered 409, whatever the input):
    `message` says why and what to do instead, `code` names the reason for scripts."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Titles named in one message, at most; the rest are counted.
NAMED_TITLES = 3


def titles_in_words(titles: Sequence[str]) -> str:
    """“A”, “B” and 2 more: titles as a sentence names them."""
    named = [f"“{title}”" for title in titles[:NAMED_TITLES]]
    rest = len(titles) - len(named)
    if rest:
        named.append(f"{rest} more")
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def check_session_deletable(title: str, status: Status, *, ever_published: bool) -> None:
    """Only a draft that was never published may be deleted: anything patients could have seen,
    played or been given stays, archived, so that their records keep what they refer to."""
    check_deletable(title, status, ever_published=ever_published, code="session_published")


def check_deletable(title: str, status: Status, *, ever_published: bool, code: str) -> None:
    """The library's one deletion rule, for sessions and collections alike: a draft never
    published may go; anything patients could have seen is archived instead (`code` names the
    refusal for scripts)."""
    if status is Status.DRAFT and not ever_published:
        return
    if status is Status.ARCHIVED:
        state = "is archived: patients no longer see it, and its history is kept"
        advice = ""
    elif status is Status.PUBLISHED:
        state = "is published"
        advice = " Archive it instead: patients no longer see it, and its history is kept."
    else:
        state = "was published before"
        advice = " Archive it instead: patients no longer see it, and its history is kept."
    raise CatalogConflict(
        code,
        f"Only a draft that was never published can be deleted. “{title}” {state}.{advice}",
    )


def session_in_use(title: str, references: Sequence[str]) -> CatalogConflict:
    """The refusal to delete a draft that records refer to (`references`: "2 practice records")."""
    return CatalogConflict(
        "session_in_use",
        f"“{title}” can't be deleted: {_listed(references)} refer to it. Archive it instead: "
        "patients no longer see it, and what refers to it is kept.",
    )


def media_in_use(titles: Sequence[str]) -> CatalogConflict:
    """The refusal to delete a media file that these sessions (any status) play."""
    if len(titles) == 1:
        which, advice = "the session", "Give it other media first, or delete it if it is a draft"
    else:
        which, advice = (
            "the sessions",
            "Give them other media first, or delete those that are drafts",
        )
    verb = "uses" if len(titles) == 1 else "use"
    return CatalogConflict(
        "media_in_use",
        f"This media file can't be deleted: {which} {titles_in_words(titles)} {verb} it. "
        f"{advice} never published.",
    )


def media_shared(titles: Sequence[str]) -> CatalogConflict:
    """The refusal to delete a draft together with a media file other sessions play too."""
    verb = "uses" if len(titles) == 1 else "use"
    return CatalogConflict(
        "media_in_use",
        f"Nothing was deleted: {titles_in_words(titles)} {verb} this draft's media file too. "
        "Delete the draft without its media file; the file stays for them.",
    )


def _listed(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def clean_title(value: str, limit: int = MAX_TITLE) -> str:
    """A title on one line, not empty, at most `limit` characters (a session's, by default)."""
    title = one_line(value)
    if not title:
        raise CatalogError("title", "Enter a title.")
    if len(title) > limit:
        raise CatalogError("title", f"Use at most {limit} characters for the title.")
    return title


def clean_text(field: str, value: str, limit: int) -> str:
    text = value.replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > limit:
        raise CatalogError(field, f"Use at most {limit:,} characters.")
    return text


def check_transcript_stamps(text: str, duration_seconds: float = 0) -> None:
    """Refuse a transcript whose time stamps are malformed, out of order or past the end of a
    recording `duration_seconds` long (0: no recording yet, or its length unknown)."""
    found = transcripts.problem(text, duration_seconds)
    if found is not None:
        raise CatalogError("transcript", found)


def clean_instructor(value: str) -> str:
    name = one_line(value)
    if len(name) > MAX_INSTRUCTOR:
        raise CatalogError("instructor", f"Use at most {MAX_INSTRUCTOR} characters.")
    return name


def clean_language(value: str) -> str:
    code = value.strip()
    if not _LANGUAGE.match(code):
        raise CatalogError("language", "Use a language code such as en, de or pt-BR.")
    return code


def clean_tags(values: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        tag = one_line(raw.lower())
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG or not _TAG_SHAPE.match(tag):
            shown = tag if len(tag) <= MAX_TAG else f"{tag[:MAX_TAG]}…"
            raise CatalogError(
                "tags",
                f"“{shown}”: tags use letters, digits, spaces and dashes, "
                f"at most {MAX_TAG} characters.",
            )
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise CatalogError("tags", f"Use at most {MAX_TAGS} tags.")
    return tags


def tag_text(tags: Iterable[str]) -> str:
    """A session's tags as the one text its search index reads: sorted, space-separated."""
    return " ".join(sorted(tags))


def split_tags(text: str) -> list[str]:
    return [part for part in text.split(",") if part.strip()]


def check_anxiety_range(low: int, high: int) -> None:
    if not (SUDS_MIN <= low <= SUDS_MAX and SUDS_MIN <= high <= SUDS_MAX):
        raise CatalogError("anxiety_min", f"Anxiety levels run from {SUDS_MIN} to {SUDS_MAX}.")
    if low > high:
        raise CatalogError(
            "anxiety_min", "The lowest suitable anxiety must not exceed the highest."
        )


def filter_tag(text: str) -> str:
    """A tag as a filter names it: lower case, one line ("" when there is none)."""
    return one_line(text.lower())


def search_tokens(text: str) -> list[str]:
    """Words of a search box, lower-cased; punctuation and operators never reach the database."""
    return [token.lower() for token in _SEARCH_TOKEN.findall(text)][:MAX_SEARCH_TOKENS]
