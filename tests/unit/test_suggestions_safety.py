"""The hard safety filter: fixed cases for each rule, then arbitrary, malformed catalogs, contexts
and limits thrown at it and at the whole engine, every answer checked against the rules restated
here in plain terms (not through the filter's own helpers)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.suggestion_cases import TODAY, YESTERDAY, context, mixed_catalog, session
from wellness.catalog.kinds import Contraindication, Guidance, Kind, Level, Posture
from wellness.suggestions import attributes
from wellness.suggestions.engine import fit_clinic, rules_only, suggest
from wellness.suggestions.inputs import (
    DueItem,
    PatientContext,
    PracticeDone,
    RatedPractice,
    SafetyLimits,
    SessionFacts,
)
from wellness.suggestions.safety import Tier, safe_sessions, support_sessions, tier_for

LIMITS = SafetyLimits()
KNOWN_FLAGS = {"breath_hold", "fast_breathing", "vigorous", "standing", "long_silence"}


def canonical(value: object) -> str:
    return (
        "_".join(value.strip().lower().replace("-", " ").split()) if isinstance(value, str) else ""
    )


def read_level(value: object) -> int | None:
    """Unknown (not a number, not finite, below 0) is None: the rules then fail closed."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return None if value < 0 else min(10, math.ceil(value))


def positive(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value) if math.isfinite(value) and value > 0 else default


def violations(item: SessionFacts, ctx: PatientContext, limits: SafetyLimits) -> list[str]:
    """clinical.md and issue 11's rules, restated."""
    found = []
    flags = {canonical(flag) for flag in item.contraindications}
    minutes = positive(item.minutes, 0.0)
    kind, guidance, posture = (
        canonical(item.kind),
        canonical(item.guidance),
        canonical(item.posture),
    )
    silence_limit = positive(limits.long_silence_minutes, 20)
    # Unknown fails closed: an unknown posture may be standing, unknown guidance may be silent.
    if posture not in ("seated", "lying"):
        flags.add("standing")
    if guidance != "guided" and (minutes == 0 or minutes >= silence_limit):
        flags.add("long_silence")
    patient = {canonical(flag) for flag in ctx.contraindications}
    if item.session_id in ctx.banned:
        found.append("banned")
    if flags - KNOWN_FLAGS:
        found.append("unreadable contraindication")
    if flags & {"breath_hold", "fast_breathing"}:
        found.append("breath hold or fast breathing")
    if flags & patient:
        found.append("patient contraindication")
    level = read_level(ctx.anxiety)
    alert = limits.alert_level if isinstance(limits.alert_level, int) else 8
    alert = max(0, min(10, alert))
    high = limits.high_distress_level if isinstance(limits.high_distress_level, int) else 7
    high = min(max(0, min(10, high)), alert)
    if level is None or level >= high:
        if flags & {"vigorous", "long_silence"}:
            found.append("vigorous or long silence at high or unknown distress")
        if kind not in attributes.KINDS or guidance not in ("guided", "silent") or not minutes:
            found.append("unknown attributes at high or unknown distress")
    if level is not None and level >= alert:
        short = positive(limits.high_distress_max_minutes, 10)
        if kind not in ("breathing", "grounding") or guidance != "guided":
            found.append("not guided slow breathing or grounding in a crisis")
        if not 0 < minutes <= short or posture not in ("seated", "lying"):
            found.append("not short, seated or lying in a crisis")
        if flags & {"vigorous", "long_silence", "standing"}:
            found.append("forceful, upright or silent in a crisis")
    return found


# --- fixed cases --------------------------------------------------------------------------------


def test_vocabularies_match_the_catalogs_enums() -> None:
    assert set(attributes.KINDS) == {kind.value for kind in Kind}
    assert set(attributes.POSTURES) == {posture.value for posture in Posture}
    assert set(attributes.GUIDANCES) == {guidance.value for guidance in Guidance}
    assert set(attributes.LEVELS) == {level.value for level in Level}
    assert set(attributes.FLAGS) == {flag.value for flag in Contraindication}


def ids(
    catalog: list[SessionFacts], ctx: PatientContext, limits: SafetyLimits = LIMITS
) -> set[int]:
    return {item.session_id for item in safe_sessions(catalog, ctx, limits).sessions}


def test_breath_holds_and_fast_breathing_are_never_offered_even_when_calm() -> None:
    catalog = [
        session(1, flags=frozenset({"breath_hold"})),
        session(2, flags=frozenset({"Fast-Breathing"})),
        session(3),
    ]
    assert ids(catalog, context(anxiety=0)) == {3}


def test_patient_contraindications_and_bans_exclude_sessions() -> None:
    catalog = [
        session(1, "yoga", 20, flags=frozenset({"vigorous"})),
        session(2, "yoga", 20, posture="standing"),
        session(3, "meditation", 30, guidance="silent"),
        session(4, "body_scan", 20),
        session(5),
    ]
    ctx = context(
        anxiety=2,
        contraindications=frozenset({"vigorous", "standing", "long_silence"}),
        banned=frozenset({5}),
    )
    assert ids(catalog, ctx) == {4}


def test_an_unreadable_contraindication_is_never_offered() -> None:
    catalog = [session(1, flags=frozenset({"inversions"})), session(2)]
    assert ids(catalog, context(anxiety=1)) == {2}


def test_at_high_distress_no_long_silence_no_vigorous_and_nothing_unknown() -> None:
    catalog = [
        session(1, "meditation", 25, guidance="silent"),
        session(2, "meditation", 12, guidance="silent"),
        session(3, "yoga", 15, flags=frozenset({"vigorous"})),
        session(4, "chanting", 10),
        session(5, "breathing", 0),
        session(6, "body_scan", 15, guidance=""),
        session(7, "body_scan", 15),
    ]
    assert ids(catalog, context(anxiety=7)) == {2, 7}
    assert ids(catalog, context(anxiety=6)) == {1, 2, 3, 4, 5, 6, 7}


def test_at_the_alert_level_only_what_the_support_panel_offers() -> None:
    catalog = [
        session(1, "breathing", 6),
        session(2, "grounding", 10, posture="lying"),
        session(3, "breathing", 12),
        session(4, "breathing", 6, guidance="silent"),
        session(5, "breathing", 6, posture="standing"),
        session(6, "body_scan", 8),
        session(7, "grounding", 5, posture=""),
    ]
    assert ids(catalog, context(anxiety=8)) == {1, 2}
    assert ids(catalog, context(anxiety=8), SafetyLimits(high_distress_max_minutes=12)) == {1, 2, 3}
    assert ids(catalog, context(anxiety=6), SafetyLimits(alert_level=6)) == {1, 2}


@pytest.mark.parametrize(
    ("anxiety", "tier"),
    [
        (None, Tier.GENTLE),
        (0, Tier.EVERYDAY),
        (6, Tier.EVERYDAY),
        (7, Tier.GENTLE),
        (8, Tier.SUPPORT),
        (10, Tier.SUPPORT),
        (14, Tier.SUPPORT),
        (-1, Tier.GENTLE),
        (6.2, Tier.GENTLE),
        (float("nan"), Tier.GENTLE),
        (float("inf"), Tier.GENTLE),
        ("9", Tier.GENTLE),
        (True, Tier.GENTLE),
    ],
)
def test_the_rating_picks_the_tier_and_an_unreadable_one_is_treated_as_unknown(
    anxiety: object, tier: Tier
) -> None:
    assert tier_for(anxiety, LIMITS) is tier


def test_nonsense_limits_fall_back_to_the_clinic_defaults() -> None:
    odd = SafetyLimits(alert_level="8", high_distress_max_minutes=math.nan, long_silence_minutes=-1)  # type: ignore[arg-type]
    catalog = [session(1, "breathing", 10), session(2, "breathing", 11)]
    assert ids(catalog, context(anxiety=9), odd) == {1}


def test_a_repeated_session_id_counts_once_and_the_first_copy_decides() -> None:
    catalog = [session(1, flags=frozenset({"breath_hold"})), session(1), session(2)]
    assert ids(catalog, context(anxiety=3)) == {2}


def test_support_sessions_are_the_shortest_crisis_safe_ones() -> None:
    catalog = [
        session(1, "breathing", 9),
        session(2, "grounding", 4),
        session(3, "breathing", 6, flags=frozenset({"fast_breathing"})),
        session(4, "meditation", 5),
        session(5, "grounding", 6),
        session(6, "breathing", 6),
    ]
    offered = support_sessions(catalog, banned=frozenset({6}), count=3)
    assert [item.session_id for item in offered] == [2, 5, 1]
    assert support_sessions(catalog, contraindications=frozenset({"breath_hold"}), count=0) == []


# --- arbitrary input ----------------------------------------------------------------------------

junk = st.text(max_size=12)


def words(known: Sequence[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(known), junk)


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32), st.integers(-50, 500))
flag_sets = st.frozensets(
    st.one_of(st.sampled_from(sorted(KNOWN_FLAGS | {"Breath-Hold", " VIGOROUS "})), junk),
    max_size=3,
)
well_formed = st.builds(
    SessionFacts,
    session_id=st.integers(1, 60),
    title=junk,
    kind=st.sampled_from(attributes.KINDS),
    minutes=st.sampled_from([3, 5, 6.5, 8, 10, 12, 20, 30]),
    posture=st.sampled_from(attributes.POSTURES),
    guidance=st.sampled_from(attributes.GUIDANCES),
    level=st.sampled_from(attributes.LEVELS),
    contraindications=st.one_of(
        st.just(frozenset()), st.frozensets(st.sampled_from(sorted(KNOWN_FLAGS)), max_size=2)
    ),
)
calming = st.builds(
    SessionFacts,
    session_id=st.integers(1, 60),
    title=junk,
    kind=st.sampled_from(["breathing", "grounding"]),
    minutes=st.sampled_from([4, 6, 10, 10.5]),
    posture=st.sampled_from(["seated", "lying", "standing"]),
    guidance=st.sampled_from(["guided", "guided", "silent"]),
    contraindications=st.one_of(st.just(frozenset()), flag_sets),
)
malformed = st.builds(
    SessionFacts,
    session_id=st.integers(1, 60),
    title=junk,
    kind=words([*attributes.KINDS, "Body scan", "BREATHING"]),
    minutes=numbers,
    posture=words([*attributes.POSTURES, ""]),
    guidance=words([*attributes.GUIDANCES, ""]),
    level=words(attributes.LEVELS),
    contraindications=flag_sets,
    anxiety_min=st.integers(-3, 13),
    anxiety_max=st.integers(-3, 13),
)
catalogs = st.lists(st.one_of(well_formed, calming, malformed), max_size=40)
# Naive on purpose: malformed input must not break the engine either.
EARLIEST = datetime(2020, 1, 1, tzinfo=UTC).replace(tzinfo=None)
LATEST = datetime(2030, 1, 1, tzinfo=UTC).replace(tzinfo=None)
moments = st.one_of(
    st.datetimes(min_value=EARLIEST, max_value=LATEST),
    st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)),
)
ratings = st.builds(
    RatedPractice,
    patient_id=st.integers(1, 3),
    session_id=st.integers(1, 60),
    started_at=moments,
    local_hour=st.integers(-3, 30),
    before=st.integers(-2, 13),
    after=st.integers(-2, 13),
)
history = st.builds(
    PracticeDone,
    session_id=st.integers(1, 60),
    practice_day=st.one_of(st.just(YESTERDAY), st.just(TODAY), junk),
    completed=st.booleans(),
)
due = st.builds(
    DueItem,
    assignment_id=st.integers(1, 9),
    session_id=st.one_of(st.none(), st.integers(1, 60)),
    kind=words(list(attributes.KINDS)),
    min_minutes=numbers,
    max_minutes=numbers,
)
contexts = st.builds(
    PatientContext,
    patient_id=st.integers(1, 3),
    now=moments,
    local_hour=st.integers(-3, 30),
    today=st.one_of(st.just(TODAY), junk),
    anxiety=st.one_of(
        st.none(), st.integers(0, 10), st.integers(-5, 20), st.floats(allow_nan=True, width=32)
    ),
    contraindications=flag_sets,
    banned=st.frozensets(st.integers(1, 60), max_size=6),
    pinned=st.frozensets(st.integers(1, 60), max_size=6),
    due=st.lists(due, max_size=7).map(tuple),
    history=st.lists(history, max_size=20).map(tuple),
    ratings=st.lists(ratings, max_size=30).map(tuple),
)
odd_limits = st.builds(
    SafetyLimits,
    alert_level=st.integers(-2, 14),
    high_distress_max_minutes=numbers,
    long_silence_minutes=numbers,
    high_distress_level=st.integers(-2, 14),
)
limits = st.one_of(st.just(SafetyLimits()), st.just(SafetyLimits(alert_level=6)), odd_limits)
CLINIC = fit_clinic(
    [
        RatedPractice(1, item.session_id, datetime(2026, 1, 1, tzinfo=UTC), 9, 6, 4)
        for item in mixed_catalog()
    ],
    mixed_catalog(),
)


def first_copies(catalog: list[SessionFacts]) -> list[SessionFacts]:
    firsts: dict[int, SessionFacts] = {}
    for item in catalog:
        firsts.setdefault(item.session_id, item)
    return list(firsts.values())


@given(catalog=catalogs, ctx=contexts, bounds=limits)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_filter_keeps_exactly_the_sessions_the_rules_allow(
    catalog: list[SessionFacts], ctx: PatientContext, bounds: SafetyLimits
) -> None:
    kept = safe_sessions(catalog, ctx, bounds).sessions
    for item in kept:
        assert violations(item, ctx, bounds) == [], item
    allowed = [item for item in first_copies(catalog) if not violations(item, ctx, bounds)]
    assert [item.session_id for item in kept] == [item.session_id for item in allowed]


@given(catalog=catalogs, ctx=contexts, bounds=limits, seed=st.integers(0, 2**32 - 1))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_suggestion_of_either_policy_is_safe_and_a_safe_session_is_always_offered(
    catalog: list[SessionFacts], ctx: PatientContext, bounds: SafetyLimits, seed: int
) -> None:
    allowed = {
        item.session_id for item in first_copies(catalog) if not violations(item, ctx, bounds)
    }
    by_id = {item.session_id: item for item in reversed(catalog)}
    for answer in (
        suggest(catalog, ctx, CLINIC, limits=bounds, rng=seed),
        rules_only(catalog, ctx, limits=bounds),
    ):
        shown = [item.session_id for item in answer.items]
        assert len(shown) == len(set(shown)) <= 5
        assert set(shown) <= allowed
        for item in answer.items:
            assert violations(by_id[item.session_id], ctx, bounds) == []
            assert 0 < item.probability <= 1
            assert item.reasons
        assert bool(shown) == bool(allowed)
        assert len(shown) >= min(3, len(allowed))
