"""Reading the suggestion logs back for `wellness suggestions report` (ORM, no HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from tests.suggestion_app_cases import store_catalog, store_checkin, store_rated_practice
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.settings import CarePolicy
from wellness.suggestions import evaluation, services
from wellness.suggestions.engine import ENGINE_VERSION, RULES_VERSION, fit_clinic
from wellness.suggestions.logs.models import SuggestionLog
from wellness.suggestions.services.clinic import ClinicFits
from wellness.suggestions.services.context import limits_for
from wellness.suggestions.services.review import review_data

POLICY = CarePolicy()


def patient(orm: Orm, name: str) -> User:
    return orm.run(
        accounts.create_user(
            email=f"{name}@example.org",
            display_name=name.title(),
            role=Role.PATIENT,
            time_zone="Europe/Berlin",
            password_hash=passwords.dummy_hash(),
        )
    )


def follow_a_suggestion(
    orm: Orm, who: User, hours: int, before: int, after: int | None, *, named: bool = True
) -> int:
    """Show `who` a list at TEST_NOW + hours, start its first session rated `before` (naming
    the list, or leaving the app to link it), and rate it `after` (or not); answers the session
    id."""
    now = TEST_NOW + timedelta(hours=hours)
    shown = orm.run(
        services.suggestions_for(who, policy=POLICY, now=now, fits=ClinicFits(), rng=hours)
    )
    chosen = shown.items[0].session_id
    logged = orm.run(
        services.start_suggested(
            who,
            chosen,
            shown.suggestion_id if named else None,
            anxiety_before=before,
            policy=POLICY,
            now=now,
        )
    )
    if after is not None:
        later = now + timedelta(minutes=10)
        orm.run(
            Checkin.create(
                patient_id=who.id,
                level=after,
                context=CheckinContext.AFTER_SESSION,
                practice_id=logged.practice.id,
                occurred_at=later,
                recorded_at=later,
            )
        )
    return chosen


@pytest.fixture
def clinic_with_logs(orm: Orm) -> tuple[User, User, list[int]]:
    ids = orm.run(store_catalog(TEST_NOW - timedelta(days=30)))
    alice, bob = patient(orm, "alice"), patient(orm, "bob")
    for day, title in enumerate(("Slow exhale", "Chair yoga", "Five senses")):
        orm.run(
            store_rated_practice(
                bob.id, ids[title], TEST_NOW - timedelta(days=10 - day), before=6, after=3
            )
        )
    chosen = [
        follow_a_suggestion(orm, alice, 0, before=6, after=4),
        follow_a_suggestion(orm, alice, 26, before=5, after=None),
    ]
    orm.run(store_checkin(bob.id, 7, TEST_NOW + timedelta(hours=26, minutes=30)))
    chosen.append(follow_a_suggestion(orm, bob, 27, before=7, after=3, named=False))
    return alice, bob, chosen


def test_each_logged_list_comes_back_with_its_context_and_the_rated_change(
    orm: Orm, clinic_with_logs: tuple[User, User, list[int]]
) -> None:
    alice, bob, chosen = clinic_with_logs

    data = orm.run(review_data(POLICY))

    assert len(data.catalog) == 12
    assert len(data.ratings) == 5  # bob's three earlier ones, then one each from the logs
    first, second, third = data.records
    assert [record.context.patient_id for record in data.records] == [alice.id, alice.id, bob.id]
    assert [record.chosen for record in data.records] == chosen
    assert [record.named for record in data.records] == [True, True, False]
    assert (first.change, second.change, third.change) == (-2.0, None, -4.0)
    assert {record.engine_version for record in data.records} == {ENGINE_VERSION}
    # The context is the one the engine had: the latest recent rating, only earlier practice.
    assert first.context.anxiety is None
    assert third.context.anxiety == 7
    assert third.context.rated_at == TEST_NOW + timedelta(hours=26, minutes=30)
    assert first.context.history == ()
    assert first.context.ratings == ()
    assert [done.session_id for done in second.context.history] == [chosen[0]]
    assert len(second.context.ratings) == 1
    assert len(third.context.ratings) == 3
    assert second.context.now == TEST_NOW + timedelta(hours=26)
    assert all(0 < item.probability <= 1 for record in data.records for item in record.items)


def test_the_report_estimates_the_engine_and_rules_only_from_the_logs(
    orm: Orm, clinic_with_logs: tuple[User, User, list[int]]
) -> None:
    data = orm.run(review_data(POLICY))
    clinic = fit_clinic(data.ratings, data.catalog)

    report = evaluation.offpolicy_report(
        data.records, data.catalog, clinic, limits=limits_for(POLICY)
    )

    assert (report.lists, report.followed, report.rated, report.usable) == (3, 3, 2, 2)
    assert report.unnamed == 1
    assert "a practice followed 3 (1 of them linked by the app" in evaluation.format_report(report)
    logged = report.estimates[0]
    assert logged.policy == "as logged"
    assert logged.snips.value == pytest.approx(-3.0)
    assert [item.policy for item in report.estimates[1:]] == [ENGINE_VERSION, RULES_VERSION]


def test_unreadable_logged_items_carry_no_weight(orm: Orm) -> None:
    alice = patient(orm, "alice")
    orm.run(
        SuggestionLog.create(
            patient_id=alice.id,
            shown_at=TEST_NOW,
            engine_version="engine-0",
            context={"anxiety": "high", "local_hour": 99, "banned": "all"},
            items=[
                {"session_id": 3, "probability": "certain"},
                {"session_id": "4", "probability": 0.5},
                {"session_id": 5, "probability": 7},
                "noise",
            ],
        )
    )

    (record,) = orm.run(review_data(POLICY)).records

    assert [(item.session_id, item.probability) for item in record.items] == [(3, 0.0), (5, 0.0)]
    assert record.context.anxiety is None
    assert record.context.banned == frozenset()
    assert 0 <= record.context.local_hour <= 23
    assert record.chosen is None
