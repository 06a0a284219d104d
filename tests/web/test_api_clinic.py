"""`bench/api_clinic.py`: the simulated clinic played through the JSON API (a small one)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from wellness.demo.facts import demo_catalog
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.world import NO_RATING, build_world

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "api_clinic.py"


@pytest.fixture(scope="module")
def api_clinic() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_clinic", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    search_path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = search_path  # it puts bench/ first, for its helpers, while it loads
    return module


def test_a_small_clinic_runs_through_the_api_safely_and_the_clinic_fit_follows_it(
    api_clinic: ModuleType, database_url: str
) -> None:
    world = build_world(4, 12, 5, Heterogeneity.MEDIUM)

    outcome = api_clinic.drive(world, database_url)

    run = outcome.run
    assert outcome.failures == []
    assert run.violations == 0, run.examples
    assert np.all(run.shown >= 3)  # every chance got a list of three to five
    listed = ~np.isnan(run.value)
    assert listed.all()
    assert np.all(run.value[listed] <= run.best[listed] + 1e-9)
    # Refitted as the ratings came in, within the seconds the run took (not on the timer).
    assert len(outcome.fits) >= 2
    assert outcome.requests >= 2 * world.chances.day.size
    assert math.isfinite(outcome.cpu)


def test_the_demo_library_runs_through_the_api_safely(
    api_clinic: ModuleType, database_url: str
) -> None:
    """`--catalog demo`: the sessions `wellness demo` publishes, every one storable, as an
    outside simulation run against the demo would meet them."""
    catalog = demo_catalog()
    assert all(api_clinic.storable(session) for session in catalog)
    world = build_world(4, 8, 4, Heterogeneity.MEDIUM, sessions=catalog)

    outcome = api_clinic.drive(world, database_url)

    assert outcome.failures == []
    assert outcome.run.violations == 0, outcome.run.examples
    assert np.all(outcome.run.shown >= 3)  # every chance got a list, of sessions it stored
    assert not np.isnan(outcome.run.value).any()
    assert outcome.practices > 0
    assert outcome.rated > 0


@pytest.mark.parametrize("clock_mode", ["simulated", "compressed"])
def test_a_client_that_rates_once_per_moment_teaches_the_engine_as_much(
    api_clinic: ModuleType, database_url: str, clock_mode: str
) -> None:
    """A practice sent without `anxiety_before` right after a check-in is rated before by it,
    whether the app's clock follows the simulated days or the whole stay runs within hours (as
    for a client that cannot set it); and a practice the patient did not rate never takes the
    next chance's check-in as its after rating, however soon that comes."""
    world = build_world(5, 8, 4, Heterogeneity.MEDIUM)
    chances = world.chances
    rated = chances.follows & chances.rated & (chances.anxiety != NO_RATING)

    compressed = clock_mode == "compressed"
    outcome = api_clinic.drive(
        world, database_url, before="checkin", clock_mode=clock_mode, name_lists=not compressed
    )

    assert outcome.failures == []
    assert outcome.run.violations == 0, outcome.run.examples
    # Compressed, the client also sends no `suggestion_id`: the app links each practice to the
    # list it was just shown (a list kept unchanged for a second practice links only once).
    linked, by_the_app = outcome.linked
    assert by_the_app == (linked if compressed else 0)
    assert 0.8 * outcome.practices <= linked <= outcome.practices
    assert outcome.rated == int(np.count_nonzero(rated)) > 0
