"""What the catalog pages read from query strings and forms, and the small views they render.

Everything here is pure: parsing turns raw strings into typed values plus a dict of
field -> message, so a page can re-render with the message beside the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlencode

import msgspec

from wellness.catalog import rules
from wellness.catalog.formats import registry as media_formats
from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture, Status
from wellness.catalog.models import MediaAsset
from wellness.catalog.rules import CatalogError, filter_tag, split_tags
from wellness.catalog.search import CatalogQuery
from wellness.catalog.services import SessionFields
from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN
from wellness.lib.numbers import ascii_digits, record_id, whole_number
from wellness.lib.text import one_line
from wellness.lib.validation import FieldError
from wellness.web.catalog_views import SessionDetail, asset_url

PER_PAGE = 24
MAX_QUERY = rules.MAX_SEARCH_TEXT
MAX_PAGE = 100_000
# The "length" filter: sessions up to this many minutes.
LENGTHS = (5, 10, 20, 45)

E = TypeVar("E", bound=StrEnum)


def _choice(enum: type[E], raw: str, field: str, errors: dict[str, str]) -> E | None:
    if not raw:
        return None
    try:
        return enum(raw)
    except ValueError:
        errors[field] = "Choose one of the listed options."
        return None


# --- browsing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrowseFilters:
    q: str = ""
    kind: Kind | None = None
    length: int | None = None
    posture: Posture | None = None
    guidance: Guidance | None = None
    tag: str = ""
    status: Status | None = None
    page: int = 1
    # The Saved tab (`?saved=1`): a patient's own saved sessions instead of the library.
    saved: bool = False

    @property
    def active(self) -> bool:
        return self != BrowseFilters(page=self.page, saved=self.saved)

    @property
    def chosen(self) -> bool:
        """Whether a filter besides the search words is chosen."""
        return replace(self, q="").active

    def query(self) -> CatalogQuery:
        """The search to run; the catalog service narrows statuses to what the viewer may see."""
        return CatalogQuery(
            statuses=frozenset({self.status}) if self.status else frozenset(Status),
            text=self.q,
            kind=self.kind,
            max_minutes=self.length,
            posture=self.posture,
            guidance=self.guidance,
            tag=self.tag or None,
            page=self.page,
            per_page=PER_PAGE,
        )

    def link(self, **changes: object) -> str:
        """This listing's address with some filters changed; empty filters are left out."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        query = urlencode([(name, value) for name, value in changed._pairs() if value])
        return f"/sessions?{query}" if query else "/sessions"

    def tag_links(self, tags: Iterable[str]) -> dict[str, str]:
        """link(tag=tag, page=1) for each tag, encoding the other filters once."""
        pairs = replace(self, tag="", page=1)._pairs()
        before = urlencode([(name, value) for name, value in pairs[:5] if value])
        after = urlencode([(name, value) for name, value in pairs[6:] if value])
        return {
            tag: "/sessions?"
            + "&".join(part for part in (before, urlencode([("tag", tag)]), after) if part)
            for tag in tags
        }

    def page_links(self, numbers: Iterable[int]) -> dict[int, str]:
        """link(page=number) for each page number, encoding the filters once."""
        first = self.link(page=1)
        joiner = "&" if "?" in first else "?"
        return {
            number: first if number <= 1 else f"{first}{joiner}page={number}" for number in numbers
        }

    def _pairs(self) -> list[tuple[str, str]]:
        """Query parameters in link order; "tag" must stay sixth (see tag_links)."""
        return [
            ("q", self.q),
            ("kind", self.kind or ""),
            ("length", str(self.length or "")),
            ("posture", self.posture or ""),
            ("guidance", self.guidance or ""),
            ("tag", self.tag),
            ("status", self.status or ""),
            ("saved", "1" if self.saved else ""),
            ("page", str(self.page) if self.page > 1 else ""),
        ]


def parse_browse(
    params: Mapping[str, str], *, may_filter_status: bool, may_save: bool = False
) -> tuple[BrowseFilters, dict[str, str]]:
    """Filters from a query string. Unknown values become errors, never a server error. The
    Saved tab is the patient's (`may_save`): for staff, who keep no list, `saved` is ignored,
    as `status` is for patients; on it the library's other filters narrow the saved sessions."""
    errors: dict[str, str] = {}
    saved = may_save and params.get("saved", "") not in ("", "0")
    if saved and params["saved"] != "1":
        errors["saved"] = "Use saved=1 for your saved sessions."
    q = one_line(params.get("q", ""))
    if len(q) > MAX_QUERY:
        errors["q"] = f"Use at most {MAX_QUERY} characters."
        q = ""
    tag = filter_tag(params.get("tag", ""))
    if len(tag) > rules.MAX_TAG:
        errors["tag"] = "That tag is too long."
        tag = ""
    filters = BrowseFilters(
        q=q,
        kind=_choice(Kind, params.get("kind", ""), "kind", errors),
        length=_length(params.get("length", ""), errors),
        posture=_choice(Posture, params.get("posture", ""), "posture", errors),
        guidance=_choice(Guidance, params.get("guidance", ""), "guidance", errors),
        tag=tag,
        status=(
            _choice(Status, params.get("status", ""), "status", errors)
            if may_filter_status
            else None
        ),
        page=_page(params.get("page", ""), errors),
        saved=saved,
    )
    return filters, errors


def _length(raw: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    value = ascii_digits(raw, max_digits=2)
    if value in LENGTHS:
        return value
    errors["length"] = "Choose one of the listed lengths."
    return None


def _page(raw: str, errors: dict[str, str]) -> int:
    if not raw:
        return 1
    try:
        return whole_number(raw, field="page", low=1, high=MAX_PAGE)
    except FieldError:
        errors["page"] = "That page number doesn't exist."
        return 1


# What the filter form offers, on the library and on the Saved tab.
FILTER_CHOICES = {
    "kinds": list(Kind),
    "lengths": LENGTHS,
    "postures": list(Posture),
    "guidances": list(Guidance),
    "statuses": list(Status),
}


# --- editing -----------------------------------------------------------------------------------


class SessionForm(msgspec.Struct):
    """The session editor's fields, as submitted. Every field has a default (see web.schemas)."""

    title: str = ""
    kind: str = ""
    description: str = ""
    instructor: str = ""
    language: str = "en"
    level: str = Level.BEGINNER.value
    posture: str = Posture.SEATED.value
    guidance: str = Guidance.GUIDED.value
    transcript: str = ""
    anxiety_min: str = str(SUDS_MIN)
    anxiety_max: str = str(SUDS_MAX)
    # One ticked box arrives as a plain string, several as a list.
    contraindications: list[str] | str = msgspec.field(default_factory=list)
    tags: str = ""
    primary_asset_id: str = ""
    # "publish" when the edit page's Publish button sent the form: save, then publish.
    then: str = ""
    # The review status the coordinator agreed to publish under (a reviews.ReviewStatus value),
    # sent by the confirmation's "Publish anyway"; empty: not asked yet.
    confirm: str = ""

    @property
    def avoids(self) -> list[str]:
        value = self.contraindications
        return [value] if isinstance(value, str) else list(value)

    @classmethod
    def of(cls, session: SessionDetail) -> SessionForm:
        return cls(
            title=session.title,
            kind=session.kind.value,
            description=session.description,
            instructor=session.instructor,
            language=session.language,
            level=session.level.value,
            posture=session.posture.value,
            guidance=session.guidance.value,
            transcript=session.transcript,
            anxiety_min=str(session.anxiety_min),
            anxiety_max=str(session.anxiety_max),
            contraindications=list(session.contraindications),
            tags=", ".join(session.tags),
        )

    @classmethod
    def for_asset(cls, asset: MediaAsset | None) -> SessionForm:
        """A new session's form, prefilled from the tags read from its media file."""
        if asset is None:
            return cls()
        return cls(
            title=asset.tag_title,
            instructor=asset.tag_artist,
            primary_asset_id=str(asset.id),
        )


def session_fields(
    form: SessionForm, *, creating: bool, duration_seconds: float = 0
) -> tuple[SessionFields, dict[str, str]]:
    """The service's input from the form, or the problems the form layer can see itself.

    The catalog's pure rules run here too, so every problem is reported at once; the service
    checks again before storing (CatalogError). `duration_seconds` is the length of the
    session's recording, which the transcript's time stamps must not pass (0: not known here).
    """
    errors: dict[str, str] = {}
    kind = _choice(Kind, form.kind, "kind", errors)
    if kind is None and "kind" not in errors:
        errors["kind"] = "Choose what kind of practice this is."
    avoids = _contraindications(form.avoids, errors)
    _collect(errors, rules.clean_title, form.title)
    _collect(errors, rules.clean_text, "description", form.description, rules.MAX_DESCRIPTION)
    _collect(errors, rules.clean_text, "transcript", form.transcript, rules.MAX_TRANSCRIPT)
    _collect(errors, rules.check_transcript_stamps, form.transcript, duration_seconds)
    _collect(errors, rules.clean_instructor, form.instructor)
    _collect(errors, rules.clean_language, form.language)
    _collect(errors, rules.clean_tags, split_tags(form.tags))
    fields = SessionFields(
        title=form.title,
        kind=kind,
        description=form.description,
        instructor=form.instructor,
        language=form.language,
        level=_choice(Level, form.level, "level", errors) or Level.BEGINNER,
        posture=_choice(Posture, form.posture, "posture", errors) or Posture.SEATED,
        guidance=_choice(Guidance, form.guidance, "guidance", errors) or Guidance.GUIDED,
        transcript=form.transcript,
        anxiety_min=_anxiety(form.anxiety_min, "anxiety_min", errors),
        anxiety_max=_anxiety(form.anxiety_max, "anxiety_max", errors),
        contraindications=avoids,
        tags=split_tags(form.tags),
        primary_asset_id=_asset_id(form.primary_asset_id, errors) if creating else None,
    )
    if "anxiety_min" not in errors and "anxiety_max" not in errors:
        _collect(errors, rules.check_anxiety_range, fields.anxiety_min, fields.anxiety_max)
    return fields, errors


def _contraindications(raw: list[str], errors: dict[str, str]) -> list[Contraindication]:
    try:
        return [Contraindication(item) for item in raw]
    except ValueError:
        errors["contraindications"] = "Choose from the listed features."
        return []


def _collect(errors: dict[str, str], check: Callable[..., object], *values: object) -> None:
    """Run one of the catalog's pure input rules, keeping its complaint (the first per field)."""
    try:
        check(*values)
    except CatalogError as problem:
        errors.setdefault(problem.field, problem.message)


def _anxiety(raw: str, field: str, errors: dict[str, str]) -> int:
    try:
        return whole_number(raw, field=field, low=SUDS_MIN, high=SUDS_MAX)
    except FieldError as problem:
        errors[field] = problem.message
        return 0


def _asset_id(raw: str, errors: dict[str, str]) -> int | None:
    if not raw.strip():
        return None
    try:
        return record_id(raw, field="primary_asset_id", message="No uploaded media has that id.")
    except FieldError as problem:
        errors[problem.field] = problem.message
        return None


# --- views -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MediaView:
    """What a page shows about one media file (an allow-list, like the API's schemas)."""

    id: int
    url: str
    mime_type: str
    has_video: bool
    duration_seconds: float
    format: str
    details: list[str]
    title: str
    artist: str
    album: str
    comment: str
    original_filename: str
    uploaded_at: datetime

    @property
    def name(self) -> str:
        """What a list calls the file: its title tag, else its file name, else its number."""
        return self.title or self.original_filename or f"Upload {self.id}"

    @classmethod
    def of(cls, asset: MediaAsset) -> MediaView:
        return cls(
            id=asset.id,
            url=asset_url(asset.id),
            mime_type=asset.mime_type,
            has_video=asset.has_video,
            duration_seconds=asset.duration_seconds,
            format=media_formats.label(asset.container),
            details=technical_details(asset.sample_rate, asset.channels, asset.bitrate),
            title=asset.tag_title,
            artist=asset.tag_artist,
            album=asset.tag_album,
            comment=asset.tag_comment,
            original_filename=asset.original_filename,
            uploaded_at=asset.uploaded_at,
        )


def technical_details(
    sample_rate: int | None, channels: int | None, bitrate: int | None
) -> list[str]:
    details = []
    if sample_rate:
        details.append(f"{sample_rate / 1000:g} kHz")
    if channels:
        details.append({1: "mono", 2: "stereo"}.get(channels, f"{channels} channels"))
    if bitrate:
        details.append(f"{round(bitrate / 1000)} kbps")
    return details


def avoid_labels(values: list[str]) -> list[str]:
    labels = []
    for value in values:
        try:
            labels.append(Contraindication(value).label)
        except ValueError:
            labels.append(value.replace("_", " ").capitalize())
    return labels
