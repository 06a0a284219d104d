"""The simulation's own reading of the clinical safety rules, on hand-made sessions and lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wellness.suggestions.inputs import (
    PatientContext,
    SafetyLimits,
    SessionFacts,
    Suggestion,
    SuggestionList,
    sessions_by_id,
)
from wellness.suggestions.simulation.clinical_rules import (
    check_list,
    distress_band,
    safe_ids,
    session_violations,
)

LIMITS = SafetyLimits()
NOW = datetime(2025, 3, 3, 9, tzinfo=UTC)


def session(session_id: int = 1, **changes: object) -> SessionFacts:
    facts: dict[str, object] = {
        "session_id": session_id,
        "title": f"Session {session_id}",
        "kind": "breathing",
        "minutes": 6.0,
        "posture": "seated",
        "guidance": "guided",
    }
    facts.update(changes)
    return SessionFacts(**facts)  # type: ignore[arg-type]


def context(anxiety: int | None = 3, **changes: object) -> PatientContext:
    facts: dict[str, object] = {
        "patient_id": 1,
        "now": NOW,
        "local_hour": 9,
        "today": "2025-03-03",
        "anxiety": anxiety,
    }
    facts.update(changes)
    return PatientContext(**facts)  # type: ignore[arg-type]


def shown(*ids: int, probability: float = 0.5) -> SuggestionList:
    return SuggestionList(tuple(Suggestion(i, probability, ("r",)) for i in ids), "test")


def test_a_short_guided_breathing_session_is_safe_at_every_level() -> None:
    calm = session()
    for anxiety in (None, 0, 5, 7, 8, 10, 11, -1):
        assert session_violations(calm, context(anxiety), LIMITS) == []


@pytest.mark.parametrize("flag", ["breath_hold", "fast_breathing"])
def test_breath_holds_and_fast_breathing_are_never_safe(flag: str) -> None:
    assert session_violations(session(contraindications=frozenset({flag})), context(0), LIMITS)


def test_a_patients_contraindication_and_a_ban_rule_a_session_out() -> None:
    yoga = session(kind="yoga", minutes=30, contraindications=frozenset({"vigorous"}))
    assert session_violations(yoga, context(2), LIMITS) == []
    assert session_violations(yoga, context(2, contraindications=frozenset({"vigorous"})), LIMITS)
    assert session_violations(session(), context(2, banned=frozenset({1})), LIMITS) == [
        "banned by the care team"
    ]


def test_posture_and_silence_imply_contraindications_and_unknown_counts_as_the_worst() -> None:
    standing_patient = context(2, contraindications=frozenset({"standing"}))
    assert session_violations(session(posture="standing"), standing_patient, LIMITS)
    assert session_violations(session(posture=""), standing_patient, LIMITS)
    assert session_violations(session(posture="lying"), standing_patient, LIMITS) == []
    silence_patient = context(2, contraindications=frozenset({"long_silence"}))
    long_sit = session(kind="meditation", minutes=30, guidance="silent")
    assert session_violations(long_sit, silence_patient, LIMITS)
    assert session_violations(
        session(kind="meditation", minutes=30, guidance=""), silence_patient, LIMITS
    )
    assert session_violations(
        session(kind="meditation", minutes=0, guidance="silent"), silence_patient, LIMITS
    )
    assert (
        session_violations(
            session(kind="meditation", minutes=12, guidance="silent"), silence_patient, LIMITS
        )
        == []
    )


def test_high_distress_keeps_vigorous_long_silent_and_unknown_practice_out() -> None:
    long_sit = session(kind="meditation", minutes=25, guidance="silent")
    for anxiety in (7, None, -3):
        assert distress_band(anxiety, LIMITS) == "high"
        assert session_violations(long_sit, context(anxiety), LIMITS)
        assert session_violations(session(kind="qigong", minutes=20), context(anxiety), LIMITS)
        assert session_violations(session(kind="yoga", minutes=0), context(anxiety), LIMITS)
    assert session_violations(long_sit, context(6), LIMITS) == []
    assert session_violations(session(kind="qigong", minutes=20), context(6), LIMITS) == []


def test_at_the_alert_level_only_what_the_support_panel_offers_is_safe() -> None:
    for anxiety in (8, 10, 11, 100):
        assert distress_band(anxiety, LIMITS) == "alert"
        assert (
            session_violations(session(kind="grounding", minutes=10), context(anxiety), LIMITS)
            == []
        )
        assert session_violations(session(minutes=11), context(anxiety), LIMITS)
        assert session_violations(session(kind="body_scan"), context(anxiety), LIMITS)
        assert session_violations(session(guidance="silent"), context(anxiety), LIMITS)
        standing = session(contraindications=frozenset({"standing"}))
        assert session_violations(standing, context(anxiety), LIMITS)
        assert session_violations(
            session(kind="grounding", posture="standing"), context(anxiety), LIMITS
        )
        assert session_violations(session(posture=""), context(anxiety), LIMITS)
    lowered = SafetyLimits(alert_level=6)
    assert distress_band(6, lowered) == "alert"
    assert distress_band(5, lowered) == "ordinary"


def test_an_unknown_contraindication_is_never_safe() -> None:
    odd = session(contraindications=frozenset({"cold_exposure"}))
    assert "unknown contraindication" in session_violations(odd, context(0), LIMITS)


def test_check_list_counts_every_broken_rule_in_a_list() -> None:
    catalog = [session(1), session(2, contraindications=frozenset({"breath_hold"})), session(3)]
    by_id = sessions_by_id(catalog)
    assert check_list(shown(1, 3), by_id, context(3), LIMITS) == []
    rules = [v.rule for v in check_list(shown(1, 1, 2, 99), by_id, context(3), LIMITS)]
    assert rules == [
        "shown twice in one list",
        "breath hold or fast breathing",
        "not in the catalog",
    ]
    bad_probability = check_list(shown(1, probability=1.5), by_id, context(3), LIMITS)
    assert [v.rule for v in bad_probability] == ["probability outside 0-1"]


def test_an_empty_list_is_a_violation_only_while_a_safe_session_exists() -> None:
    catalog = [session(1), session(2, kind="yoga", minutes=40)]
    by_id = sessions_by_id(catalog)
    assert [v.rule for v in check_list(shown(), by_id, context(3), LIMITS)] == [
        "empty list while a safe session exists"
    ]
    everything_banned = context(3, banned=frozenset({1, 2}))
    assert check_list(shown(), by_id, everything_banned, LIMITS) == []
    assert safe_ids(catalog, context(9), LIMITS) == frozenset({1})


words = st.sampled_from(
    ["", "breathing", "grounding", "yoga", "meditation", "qigong", "seated", "standing",
     "guided", "silent", "breath_hold", "vigorous", "long_silence", "standing", "x"]
)  # fmt: skip


@settings(max_examples=200, deadline=None, database=None)
@given(
    kind=words,
    posture=words,
    guidance=words,
    flags=st.frozensets(words, max_size=3),
    minutes=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 90)),
    anxiety=st.one_of(st.none(), st.integers(-20, 200)),
    patient_flags=st.frozensets(words, max_size=3),
)
def test_any_session_and_context_get_an_answer_and_safe_ones_pass_check_list(
    kind: str,
    posture: str,
    guidance: str,
    flags: frozenset[str],
    minutes: float,
    anxiety: int | None,
    patient_flags: frozenset[str],
) -> None:
    facts = session(
        kind=kind, posture=posture, guidance=guidance, contraindications=flags, minutes=minutes
    )
    now = context(anxiety, contraindications=patient_flags)
    broken = session_violations(facts, now, LIMITS)
    found = check_list(shown(1), {1: facts}, now, LIMITS)
    assert [v.rule for v in found] == broken
    if not broken:
        assert minutes == minutes or distress_band(anxiety, LIMITS) == "ordinary"
        assert not flags & {"breath_hold", "fast_breathing"}
