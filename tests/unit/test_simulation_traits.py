"""Simulated clinics whose patients differ by something other than kind (`--differ-by`): each
session draws on its group's response, the groups follow the catalog's attributes, and the
yardstick learner is told the groups."""

from __future__ import annotations

import numpy as np
import pytest

from wellness.catalog.kinds import Guidance, Posture
from wellness.cli.suggestions import HETEROGENEITY, TRAITS
from wellness.suggestions.inputs import SafetyLimits
from wellness.suggestions.simulation.catalog import KINDS, LENGTH_EDGES
from wellness.suggestions.simulation.engine_policies import engine_filter
from wellness.suggestions.simulation.informed import InformedLearner
from wellness.suggestions.simulation.parameters import Heterogeneity, Trait
from wellness.suggestions.simulation.policies import SafeSets
from wellness.suggestions.simulation.report import evaluate
from wellness.suggestions.simulation.run import format_report
from wellness.suggestions.simulation.world import World, build_world


@pytest.fixture(scope="module", params=list(Trait))
def world(request: pytest.FixtureRequest) -> World:
    return build_world(6, 40, 7, Heterogeneity.HIGH, differ_by=request.param)


def own_terms(world: World) -> np.ndarray:
    """(P, S): what each patient adds to each session beyond the session's own effect."""
    own: np.ndarray = (
        world.cohort.base - world.parameters.non_specific - world.catalog.effect[None, :]
    )
    return own


def test_sessions_in_one_group_share_each_patients_response(world: World) -> None:
    groups = world.cohort.responds_by
    terms = own_terms(world)
    for group in np.unique(groups):
        members = terms[:, groups == group]
        assert np.allclose(members, members[:, :1]), (world.parameters.differ_by, group)


def test_patients_differ_between_the_groups(world: World) -> None:
    groups = world.cohort.responds_by
    terms = own_terms(world)
    offset_removed = terms - terms.mean(axis=1, keepdims=True)
    assert np.unique(groups).size > 1
    assert offset_removed.std() > 0.3  # high heterogeneity: SD 0.8 between groups


def test_each_trait_groups_sessions_by_their_attribute(world: World) -> None:
    trait = world.parameters.differ_by
    catalog = world.catalog
    groups, count = catalog.groups(trait)
    assert groups.shape == (len(catalog.sessions),)
    assert groups.min() >= 0
    assert groups.max() < count
    for session, group in zip(catalog.sessions, groups, strict=True):
        if trait is Trait.KIND:
            expected = KINDS.index(session.kind) if session.kind in KINDS else len(KINDS) - 1
        elif trait is Trait.SESSION:
            expected = session.session_id - 1
        elif trait is Trait.LENGTH:
            expected = sum(session.minutes > edge for edge in LENGTH_EDGES)
        elif trait is Trait.POSTURE:
            names = [p.value for p in Posture]
            expected = names.index(session.posture) if session.posture in names else len(names)
        else:
            names = [g.value for g in Guidance]
            expected = names.index(session.guidance) if session.guidance in names else len(names)
        assert group == expected, (trait, session)


def test_the_kind_world_is_the_notes_model_and_the_default() -> None:
    default = build_world(3, 20, 7, Heterogeneity.MEDIUM)
    by_kind = build_world(3, 20, 7, Heterogeneity.MEDIUM, differ_by=Trait.KIND)
    assert default.parameters.differ_by is Trait.KIND
    assert np.array_equal(default.cohort.base, by_kind.cohort.base)
    assert np.array_equal(default.cohort.responds_by, default.catalog.kind_index)


def test_another_trait_gives_other_responses_to_the_same_catalog() -> None:
    by_kind = build_world(3, 20, 7, Heterogeneity.MEDIUM)
    by_posture = build_world(3, 20, 7, Heterogeneity.MEDIUM, differ_by=Trait.POSTURE)
    assert by_kind.catalog.sessions == by_posture.catalog.sessions
    assert not np.allclose(by_kind.cohort.base, by_posture.cohort.base)


def test_the_informed_learner_is_told_what_patients_differ_by(world: World) -> None:
    safe = SafeSets(world.catalog.sessions, SafetyLimits(), engine_filter)
    informed = InformedLearner(world, safe, 4)
    _, groups = world.catalog.groups(world.parameters.differ_by)
    assert np.array_equal(informed.groups, world.cohort.responds_by)
    assert informed.prior_variance.size == 1 + groups


def test_the_command_offers_exactly_the_simulations_choices() -> None:
    assert tuple(trait.value for trait in Trait) == TRAITS
    assert tuple(level.value for level in Heterogeneity) == HETEROGENEITY


def test_the_report_says_what_patients_differ_by() -> None:
    report = evaluate(
        8, 5, 1, "medium", ("random", "engine", "oracle"), differ_by="posture", sweep_calls=0
    )
    text = format_report(report)
    assert report.config.differ_by is Trait.POSTURE
    assert "medium heterogeneity (patients differ by posture, not by kind)" in text
    assert report.policies["engine"].violations == 0
