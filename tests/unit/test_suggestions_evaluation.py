"""`wellness suggestions report`'s arithmetic on hand-made logs with known answers."""

from __future__ import annotations

import math
import zlib
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.suggestion_cases import NOW, context, mixed_catalog, simulated_ratings
from wellness.suggestions import engine
from wellness.suggestions.evaluation import (
    LoggedSuggestions,
    drop,
    engine_target,
    format_report,
    offpolicy_report,
    rules_target,
)
from wellness.suggestions.inputs import PatientContext, SafetyLimits
from wellness.suggestions.model import ClinicModel
from wellness.suggestions.offpolicy import LoggedItem

LIMITS = SafetyLimits()
CATALOG = mixed_catalog(30)


@pytest.fixture(scope="module")
def clinic() -> ClinicModel:
    ratings, _ = simulated_ratings(CATALOG, patients=12, per_patient=15, kind_sd=0.4)
    return engine.fit_clinic(ratings, CATALOG)


def moments(count: int) -> list[PatientContext]:
    """Contexts of three patients at different hours and distress levels."""
    return [
        replace(
            context(patient_id=1 + number % 3, anxiety=2 + number % 6, local_hour=8 + number % 12),
            now=NOW + timedelta(hours=number),
        )
        for number in range(count)
    ]


def engine_logs(
    clinic: ClinicModel, count: int, change_of: dict[int, float] | None = None
) -> list[LoggedSuggestions]:
    """Lists the engine shows (seeded as `engine_target` seeds them), the first shown session
    practised each time with the given change (-1 for any session not named)."""
    records = []
    for moment in moments(count):
        seed = zlib.crc32(f"{moment.patient_id}|{moment.now.isoformat()}".encode())
        shown = engine.suggest(CATALOG, moment, clinic, limits=LIMITS, rng=seed)
        items = tuple(LoggedItem(item.session_id, item.probability) for item in shown.items)
        chosen = items[0].session_id
        change = (change_of or {}).get(chosen, -1.0)
        records.append(LoggedSuggestions(moment, items, shown.engine_version, chosen, change))
    return records


def test_the_engine_judged_on_its_own_logs_finds_their_mean(clinic: ClinicModel) -> None:
    records = engine_logs(clinic, 30)
    report = offpolicy_report(records, CATALOG, clinic, limits=LIMITS)
    by_name = {item.policy: item for item in report.estimates}
    assert report.lists == report.followed == report.rated == report.usable == 30
    assert report.versions == {engine.ENGINE_VERSION: 30}
    assert by_name["as logged"].snips.value == pytest.approx(-1.0)
    assert by_name["as logged"].doubly_robust is None
    own = by_name[engine.ENGINE_VERSION]
    assert own.snips.value == pytest.approx(-1.0)
    assert own.snips.low <= own.snips.value <= own.snips.high
    assert own.doubly_robust is not None
    assert math.isfinite(own.doubly_robust.value)


def test_rules_only_is_judged_on_the_practices_it_would_have_shown(clinic: ClinicModel) -> None:
    plans = [engine.rules_plan(CATALOG, moment, limits=LIMITS) for moment in moments(40)]
    favoured = {item.session_id for plan in plans for item in plan.shown}
    change_of = dict.fromkeys(favoured, -2.5)
    records = engine_logs(clinic, 40, change_of)
    report = offpolicy_report(
        records,
        CATALOG,
        clinic,
        limits=LIMITS,
        targets={
            "rules": rules_target(CATALOG, LIMITS),
            "engine": engine_target(CATALOG, clinic, LIMITS),
        },
    )
    rules = next(item for item in report.estimates if item.policy == "rules")
    assert rules.snips.value == pytest.approx(-2.5)
    assert rules.snips.effective > 0
    assert rules.doubly_robust is not None
    assert rules.doubly_robust.low <= rules.doubly_robust.value <= rules.doubly_robust.high


def test_lists_without_a_rated_practice_or_with_an_unshown_choice_carry_no_weight(
    clinic: ClinicModel,
) -> None:
    records = engine_logs(clinic, 4)
    unrated = [
        LoggedSuggestions(records[0].context, records[0].items, "engine-0"),
        LoggedSuggestions(records[1].context, records[1].items, "engine-0", records[1].chosen),
        LoggedSuggestions(records[2].context, records[2].items, "engine-0", 99_999, -3.0),
        LoggedSuggestions(
            records[3].context, records[3].items, "engine-0", records[3].chosen, math.nan
        ),
    ]
    report = offpolicy_report(unrated, CATALOG, clinic, limits=LIMITS)
    assert (report.lists, report.followed, report.rated, report.usable) == (4, 3, 1, 0)
    assert all(math.isnan(item.snips.value) for item in report.estimates)
    text = format_report(report)
    assert "No rated practice followed a logged list yet" in text
    assert "engine-0: 4" in text


def test_the_printed_report_speaks_of_drops_with_their_intervals(clinic: ClinicModel) -> None:
    report = offpolicy_report(engine_logs(clinic, 20), CATALOG, clinic, limits=LIMITS)
    text = format_report(report)
    assert "positive = calmer" in text
    logged = next(line for line in text.splitlines() if line.startswith("as logged"))
    assert "+1.00" in logged
    assert f"{engine.RULES_VERSION}" in text
    assert "DR" in text
    assert drop(-1.5) == 1.5
    assert str(drop(0.0)) == "0.0"
