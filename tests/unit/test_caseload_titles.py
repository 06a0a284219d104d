"""How an assigned practice is named to the patient and their therapist."""

from __future__ import annotations

import pytest

from wellness.care.schedule import CollectionTarget, KindTarget, SessionTarget
from wellness.caseload.plan import title_of


@pytest.mark.parametrize(
    ("low", "high", "title"),
    [
        (5, 10, "Any breathing session, 5 to 10 minutes"),
        (5, 5, "Any breathing session, 5 minutes"),
        (1, 1, "Any breathing session, 1 minute"),
    ],
)
def test_a_kind_is_named_with_its_length_range(low: int, high: int, title: str) -> None:
    assert title_of(KindTarget("breathing", low, high), {}) == title


def test_a_session_is_named_by_its_title_or_plainly_when_it_is_gone() -> None:
    assert title_of(SessionTarget(7), {7: "Box breathing"}) == "Box breathing"
    assert title_of(SessionTarget(8), {7: "Box breathing"}) == "A session"


def test_a_collection_is_named_as_one_by_its_title_or_plainly_when_it_is_gone() -> None:
    programme = CollectionTarget(3, frozenset({7}))
    assert title_of(programme, {7: "Box breathing"}, {3: "First week"}) == "Collection: First week"
    assert title_of(programme, {7: "Box breathing"}) == "A collection"
