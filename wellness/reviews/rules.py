"""Pure rules of clinical review: what a review may say, which version of a draft it is of, and
what a draft's reviews add up to.

A draft's *version* is a digest of everything a patient would see or a clinician would judge:
its words, its recording, its kind and length, its suitability and contraindications, its tags.
It is computed from the content, never counted: any writer (the editor, the API, the command
line, a hand-run SQL) changes it by changing the content, and saving a form unchanged does not.
A review stores the version it was of; once the content differs, the review is "of an earlier
version" and no longer counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from wellness.catalog.rules import CatalogConflict
from wellness.lib.text import without_bidi_controls
from wellness.lib.validation import FieldError

MAX_COMMENT = 2_000


class Decision(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"

    @property
    def label(self) -> str:
        return "Approved" if self is Decision.APPROVED else "Changes requested"


class ReviewStatus(StrEnum):
    """Where a draft stands with its reviewers, for its current version."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    # Reviewed, but changed since: nothing said counts for what is there now.
    EARLIER_VERSION = "earlier_version"
    NOT_REVIEWED = "not_reviewed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ReviewStatus.APPROVED: "Approved",
    ReviewStatus.CHANGES_REQUESTED: "Changes requested",
    ReviewStatus.EARLIER_VERSION: "Changed since its review",
    ReviewStatus.NOT_REVIEWED: "Not reviewed",
}


def clean_comment(decision: Decision, comment: str) -> str:
    """The comment as stored: trimmed, no NUL or bidirectional controls; required with a
    request for changes (the coordinator must know what to change)."""
    text = without_bidi_controls(comment.replace("\r\n", "\n").replace("\x00", "")).strip()
    if len(text) > MAX_COMMENT:
        raise FieldError("comment", f"Keep the comment under {MAX_COMMENT:,} characters.")
    if decision is Decision.CHANGES_REQUESTED and not text:
        raise FieldError("comment", "Say what needs to change: a request for changes needs it.")
    return text


@dataclass(frozen=True, slots=True)
class DraftContent:
    """What a review judges. Every field of a session that reaches patients or that clinicians
    rely on belongs here (tests/unit/test_review_rules.py lists those that do not)."""

    title: str
    kind: str
    description: str
    transcript: str
    instructor: str
    language: str
    level: str
    posture: str
    guidance: str
    anxiety_min: int
    anxiety_max: int
    contraindications: tuple[str, ...]
    tags: tuple[str, ...]
    media_sha256: str | None
    duration_seconds: float


def version_of(content: DraftContent) -> str:
    """The content's digest (64 hex characters): equal content, equal version."""
    values = asdict(content)
    values["contraindications"] = sorted(content.contraindications)
    values["tags"] = sorted(content.tags)
    values["duration_seconds"] = round(content.duration_seconds, 1)
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """One stored review as the rules need it. `counts`: its reviewer is, now, an active
    therapist (a deactivated account, another role or a deleted one no longer speaks)."""

    review_id: int
    reviewer_id: int | None
    reviewer_name: str
    decision: Decision
    version: str
    reviewed_at: datetime
    counts: bool


@dataclass(frozen=True, slots=True)
class Standing:
    status: ReviewStatus
    approved_by: tuple[str, ...] = ()
    requested_by: tuple[str, ...] = ()

    @property
    def approved(self) -> bool:
        return self.status is ReviewStatus.APPROVED

    @property
    def summary(self) -> str:
        """ "Approved by Bob Therapist", "Changes requested by …", "Not reviewed"."""
        if self.status is ReviewStatus.APPROVED:
            return f"Approved by {names_in_words(self.approved_by)}"
        if self.status is ReviewStatus.CHANGES_REQUESTED:
            return f"Changes requested by {names_in_words(self.requested_by)}"
        return self.status.label


NOT_REVIEWED = Standing(ReviewStatus.NOT_REVIEWED)


def names_in_words(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def standing_of(reviews: Iterable[ReviewFact], version: str) -> Standing:
    """What the reviews say of the draft as it is (`version`).

    Only reviews of this version by reviewers who count are read, and of those each reviewer's
    latest (a therapist who reviews again changes their mind). A request for changes outweighs
    approvals: a clinician's objection stands until its author approves or the draft changes.
    """
    every = sorted(reviews, key=lambda fact: (fact.reviewed_at, fact.review_id))
    latest: dict[int | None, ReviewFact] = {}
    for fact in every:
        if fact.counts and fact.version == version:
            latest.pop(fact.reviewer_id, None)
            latest[fact.reviewer_id] = fact  # names in the order their word was given
    requested = tuple(
        fact.reviewer_name
        for fact in latest.values()
        if fact.decision is Decision.CHANGES_REQUESTED
    )
    approved = tuple(
        fact.reviewer_name for fact in latest.values() if fact.decision is Decision.APPROVED
    )
    if requested:
        return Standing(ReviewStatus.CHANGES_REQUESTED, approved, requested)
    if approved:
        return Standing(ReviewStatus.APPROVED, approved)
    if any(fact.version != version for fact in every):
        return Standing(ReviewStatus.EARLIER_VERSION)
    return NOT_REVIEWED


def accepted_statuses(confirmed: str) -> frozenset[ReviewStatus]:
    """The review status a coordinator agreed to publish under (the one they were shown), as
    a form sends it; none for anything else."""
    try:
        return frozenset({ReviewStatus(confirmed)})
    except ValueError:
        return frozenset()


def publish_refusal(title: str, standing: Standing) -> CatalogConflict | None:
    """Why a clinic that requires review refuses to publish this draft; None when approved."""
    if standing.approved:
        return None
    rule = "Publishing needs a therapist's approval of the version being published."
    if standing.status is ReviewStatus.CHANGES_REQUESTED:
        who = names_in_words(standing.requested_by)
        return CatalogConflict(
            "changes_requested",
            f"“{title}” can't be published yet: {who} asked for changes to this version. {rule}",
        )
    why = (
        "it changed after its last review"
        if standing.status is ReviewStatus.EARLIER_VERSION
        else "no therapist has reviewed it"
    )
    return CatalogConflict("review_required", f"“{title}” can't be published yet: {why}. {rule}")
