"""`bench/api_clinic.py`: the simulated clinic played through the JSON API (a small one)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.care.models import SessionOverride
from wellness.care.restrictions import restrictions_for
from wellness.demo.facts import demo_catalog
from wellness.lib.clock import FixedClock
from wellness.suggestions.simulation.parameters import Heterogeneity
from wellness.suggestions.simulation.world import NO_RATING, START, World, build_world

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


@pytest.fixture(scope="module")
def clinic_setup(api_clinic: ModuleType) -> ModuleType:
    """`bench/_clinic_setup.py`, as `api_clinic` imported it."""
    return sys.modules["_clinic_setup"]


async def cohort_as_stored() -> tuple[list[tuple[str, Role]], dict[int, tuple[Any, ...]]]:
    """Every account (e-mail, role), and per patient id: their care team's ids, their
    contraindications, their bans and who set those."""
    accounts = [(row.email, row.role) for row in await User.all().order_by("id")]
    patients = {}
    for patient in await User.filter(role=Role.PATIENT):
        team = tuple(member.id for member in await care.therapists_of(patient.id))
        found = await restrictions_for(patient.id)
        setters = await SessionOverride.filter(patient_id=patient.id).values_list(
            "set_by_id", flat=True
        )
        patients[patient.id] = (team, found.contraindications, found.banned, set(setters))
    return accounts, patients


def test_the_cohort_is_set_up_through_the_api_as_an_outside_simulation_would(
    clinic_setup: ModuleType, database_url: str
) -> None:
    """An administrator from the CLI creates the therapist and every patient on the therapist's
    caseload; the therapist sets each patient's contraindications and bans."""
    world: World = build_world(4, 12, 5, Heterogeneity.MEDIUM)
    tally = clinic_setup.Tally()

    with clinic_setup.open_clinic(world, database_url, FixedClock(START), tally) as opened:
        client, _, stored = opened
        accounts, patients = client.blocking_portal.call(cohort_as_stored)

    assert tally.refused == []
    assert accounts == [
        (clinic_setup.ADMIN_EMAIL, Role.ADMIN),
        (clinic_setup.THERAPIST_EMAIL, Role.THERAPIST),
        *((email, Role.PATIENT) for email in stored.emails),
    ]
    assert len(stored.patient_ids) == world.patients
    banned_sessions = 0
    for number, patient_id in enumerate(stored.patient_ids):
        team, codes, banned, set_by = patients[patient_id]
        assert team == (stored.therapist_id,)
        assert codes == world.cohort.contraindications[number]
        expected_bans = {stored.stored_id[b] for b in world.cohort.banned[number]}
        assert banned == expected_bans
        assert set_by == ({stored.therapist_id} if banned else set())
        banned_sessions += len(banned)
    restricted = sum(1 for codes in world.cohort.contraindications if codes)
    assert restricted > 0
    assert banned_sessions > 0
    # Two sign-ins, the therapist, the patients, one PUT per restricted patient, one POST a ban.
    assert tally.requests == 2 + 1 + world.patients + restricted + banned_sessions


def test_a_refused_set_up_request_stops_the_run_and_is_reported(
    api_clinic: ModuleType,
    clinic_setup: ModuleType,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clinic_setup, "THERAPIST_EMAIL", "not an e-mail address")
    world = build_world(4, 3, 2, Heterogeneity.MEDIUM)

    outcome = api_clinic.drive(world, database_url)

    assert outcome.set_up.refused == ["POST /api/v1/users: 422"]
    assert (outcome.requests, outcome.practices) == (0, 0)  # no stay without its clinic
    printed = api_clinic.report(4, {}, outcome, world)
    assert "set-up through the API: 2 requests, 1 refused" in printed
    assert "! POST /api/v1/users: 422" in printed


def test_a_small_clinic_runs_through_the_api_safely_and_the_clinic_fit_follows_it(
    api_clinic: ModuleType, database_url: str
) -> None:
    world = build_world(4, 12, 5, Heterogeneity.MEDIUM)

    outcome = api_clinic.drive(world, database_url)

    run = outcome.run
    assert outcome.set_up.refused == []
    assert outcome.set_up.requests > world.patients  # each patient created through the API
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
    api_clinic: ModuleType, clinic_setup: ModuleType, database_url: str
) -> None:
    """`--catalog demo`: the sessions `wellness demo` publishes, every one storable, as an
    outside simulation run against the demo would meet them."""
    catalog = demo_catalog()
    assert all(clinic_setup.storable(session) for session in catalog)
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
