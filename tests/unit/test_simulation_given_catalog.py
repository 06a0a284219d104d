"""The simulated clinic on a given catalog (`--catalog demo`): the demo library's published
sessions, as a clinic judging the app from outside on its demo data would meet them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from wellness.catalog.kinds import Status
from wellness.demo.content import DEMO_SESSIONS
from wellness.demo.facts import demo_catalog
from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.simulation.catalog import KIND_INDEX
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.report import evaluate
from wellness.suggestions.simulation.run import format_report, main
from wellness.suggestions.simulation.world import build_world


@pytest.fixture(scope="module")
def sessions() -> tuple[SessionFacts, ...]:
    return demo_catalog()


def test_the_demo_catalog_is_the_published_demo_sessions_in_order(
    sessions: tuple[SessionFacts, ...],
) -> None:
    published = [s for s in DEMO_SESSIONS if s.status is Status.PUBLISHED]
    assert len(published) < len(DEMO_SESSIONS)  # the library has a draft and an archived one
    assert [s.title for s in sessions] == [s.title for s in published]
    assert [s.session_id for s in sessions] == list(range(1, len(published) + 1))
    for facts, demo in zip(sessions, published, strict=True):
        assert facts.kind == demo.kind.value
        assert facts.minutes == demo.minutes
        assert facts.posture == demo.posture.value
        assert facts.guidance == demo.guidance.value
        assert facts.contraindications == {tag.value for tag in demo.contraindications}
        assert (facts.anxiety_min, facts.anxiety_max) == (demo.anxiety_min, demo.anxiety_max)


def test_a_world_on_a_given_catalog_offers_exactly_it(sessions: tuple[SessionFacts, ...]) -> None:
    shuffled = tuple(replace(s, session_id=100 + n) for n, s in enumerate(reversed(sessions)))
    world = build_world(3, 20, 7, Heterogeneity.MEDIUM, sessions=shuffled)
    given = world.catalog.sessions
    assert world.parameters.session_count == len(shuffled)
    assert [s.session_id for s in given] == list(range(1, len(shuffled) + 1))
    assert [replace(s, session_id=0) for s in given] == [replace(s, session_id=0) for s in shuffled]
    np.testing.assert_array_equal(world.catalog.trap, [bool(s.contraindications) for s in given])
    assert world.catalog.trap.any()
    assert not world.catalog.malformed.any()
    np.testing.assert_array_equal(world.catalog.kind_index, [KIND_INDEX[s.kind] for s in given])
    assert world.cohort.base.shape == (20, len(shuffled))


def test_every_seed_offers_the_given_catalog_with_its_own_effects(
    sessions: tuple[SessionFacts, ...],
) -> None:
    first = build_world(1, 10, 5, Heterogeneity.MEDIUM, sessions=sessions)
    again = build_world(1, 10, 5, Heterogeneity.MEDIUM, sessions=sessions)
    other = build_world(2, 10, 5, Heterogeneity.MEDIUM, sessions=sessions)
    assert first.catalog.sessions == other.catalog.sessions
    np.testing.assert_array_equal(first.catalog.effect, again.catalog.effect)
    assert not np.array_equal(first.catalog.effect, other.catalog.effect)


def test_the_engine_runs_safely_on_the_demo_catalog_and_the_report_names_it(
    sessions: tuple[SessionFacts, ...],
) -> None:
    report = evaluate(
        12,
        6,
        1,
        "medium",
        ("random", "engine", "oracle"),
        sweep_calls=30,
        sessions=sessions,
        catalog="demo",
    )
    engine = report.policies["engine"]
    assert engine.suggestions > 0
    assert engine.violations == engine.errors == 0
    assert report.sweep.calls == 30
    assert report.sweep.violations == report.sweep.errors == 0
    assert f"the demo catalog ({len(sessions)} sessions)" in format_report(report)


def test_the_runner_offers_only_the_catalogs_it_is_given(
    sessions: tuple[SessionFacts, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    small = ("--patients", "4", "--days", "3", "--seeds", "1", "--sweep-calls", "0")
    assert main([*small, "--catalog", "demo"]) == 2
    assert "invalid choice: 'demo'" in capsys.readouterr().err
    assert main([*small, "--catalog", "demo"], catalogs={"demo": lambda: sessions}) == 0
    assert f"the demo catalog ({len(sessions)} sessions)" in capsys.readouterr().out
