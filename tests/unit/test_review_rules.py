"""The pure rules of clinical review: comments, versions, and what reviews add up to."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from wellness.lib.validation import FieldError
from wellness.reviews.rules import (
    Decision,
    DraftContent,
    ReviewFact,
    ReviewStatus,
    accepted_statuses,
    clean_comment,
    publish_refusal,
    standing_of,
    version_of,
)

CONTENT = DraftContent(
    title="Box breathing",
    kind="breathing",
    description="In for four, hold for four.",
    transcript="[0:00] A bell.",
    instructor="Jonah Okafor",
    language="en",
    level="intermediate",
    posture="seated",
    guidance="guided",
    anxiety_min=0,
    anxiety_max=3,
    contraindications=("breath_hold",),
    tags=("focus", "box breathing"),
    media_sha256="ab" * 32,
    duration_seconds=300.04,
)
V1 = version_of(CONTENT)
V2 = version_of(replace(CONTENT, description="In for four, out for six."))
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def fact(
    number: int,
    reviewer: int | None,
    decision: Decision,
    version: str = V1,
    *,
    counts: bool = True,
) -> ReviewFact:
    name = {1: "Theo", 2: "Tamsin", None: "A former staff member"}.get(reviewer, "Someone")
    at = T0 + timedelta(minutes=number)
    return ReviewFact(number, reviewer, name, decision, version, at, counts)


def test_a_version_is_the_same_for_the_same_content_whatever_the_order_of_lists() -> None:
    shuffled = replace(CONTENT, tags=("box breathing", "focus"), duration_seconds=300.01)
    assert version_of(shuffled) == V1
    assert len(V1) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Box breathing "},
        {"transcript": "[0:00] A gong."},
        {"contraindications": ()},
        {"tags": ("focus",)},
        {"media_sha256": None},
        {"duration_seconds": 360.0},
        {"anxiety_max": 4},
    ],
)
def test_a_version_changes_with_any_of_its_content(change: dict[str, object]) -> None:
    assert version_of(replace(CONTENT, **change)) != V1  # type: ignore[arg-type]


def test_a_comment_is_trimmed_and_cleaned_of_reordering_controls() -> None:
    assert (
        clean_comment(Decision.APPROVED, "  Fine \u202eto\u202c publish.\r\n") == "Fine to publish."
    )
    assert clean_comment(Decision.APPROVED, "") == ""


@pytest.mark.parametrize(
    ("decision", "comment", "message"),
    [
        (Decision.CHANGES_REQUESTED, " \n\t", "needs it"),
        (Decision.CHANGES_REQUESTED, "\u202e", "needs it"),
        (Decision.APPROVED, "x" * 2001, "under 2,000 characters"),
    ],
)
def test_a_comment_is_refused_naming_the_field(
    decision: Decision, comment: str, message: str
) -> None:
    with pytest.raises(FieldError) as refused:
        clean_comment(decision, comment)
    assert refused.value.field == "comment"
    assert message in refused.value.message


def test_no_reviews_is_not_reviewed_and_only_earlier_ones_say_so() -> None:
    assert standing_of([], V1).status is ReviewStatus.NOT_REVIEWED
    earlier = standing_of([fact(1, 1, Decision.APPROVED, V2)], V1)
    assert (earlier.status, earlier.summary) == (
        ReviewStatus.EARLIER_VERSION,
        "Changed since its review",
    )


def test_each_reviewers_latest_review_of_this_version_counts() -> None:
    reviews = [
        fact(1, 1, Decision.CHANGES_REQUESTED),
        fact(2, 2, Decision.APPROVED),
        fact(3, 1, Decision.APPROVED),
        fact(4, 2, Decision.CHANGES_REQUESTED, V2),  # of another version: not read
    ]
    found = standing_of(reversed(reviews), V1)
    assert found.status is ReviewStatus.APPROVED
    assert found.summary == "Approved by Tamsin and Theo"


def test_reviews_that_do_not_count_are_passed_over() -> None:
    found = standing_of(
        [fact(1, None, Decision.CHANGES_REQUESTED, counts=False), fact(2, 1, Decision.APPROVED)],
        V1,
    )
    assert found.summary == "Approved by Theo"
    assert standing_of([fact(1, 2, Decision.APPROVED, counts=False)], V1).status is (
        ReviewStatus.NOT_REVIEWED
    )


def test_publishing_is_refused_for_every_standing_but_an_approval() -> None:
    approved = standing_of([fact(1, 1, Decision.APPROVED)], V1)
    objected = standing_of([fact(1, 1, Decision.CHANGES_REQUESTED)], V1)
    outdated = standing_of([fact(1, 1, Decision.APPROVED, V2)], V1)
    assert publish_refusal("Box", approved) is None
    refusals = [
        publish_refusal("Box", found) for found in (objected, outdated, standing_of([], V1))
    ]
    assert [refusal.code for refusal in refusals if refusal] == [
        "changes_requested",
        "review_required",
        "review_required",
    ]


def test_a_coordinator_confirms_one_status_and_nothing_else_counts_as_confirming() -> None:
    assert accepted_statuses("changes_requested") == {ReviewStatus.CHANGES_REQUESTED}
    assert accepted_statuses("") == frozenset()
    assert accepted_statuses("yes") == frozenset()
