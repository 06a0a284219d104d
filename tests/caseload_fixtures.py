"""Shared setup for assigned-practice tests (services and web): people, sessions, practice,
ratings, the stored assignments, and the fixtures `alice` and `bob` (service tests, registered by
tests/services/conftest.py) and `former` (web tests, registered by tests/web/conftest.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import TEST_NOW, Client, Persona, persona_password_hash
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.care.models import Alert, AssignmentPause, AssignmentVersion, PracticeAssignment
from wellness.care.policy import AlertReason
from wellness.caseload.assignments import AssignmentInput
from wellness.catalog.kinds import Kind, Posture, Status
from wellness.catalog.models import PracticeSession
from wellness.checkins.models import Checkin
from wellness.checkins.scoring import CheckinContext
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence, PracticeKind
from wellness.settings import CarePolicy

if TYPE_CHECKING:
    from tests.services.conftest import Orm

POLICY = CarePolicy()
DAY = timedelta(days=1)
BREATHING_5_10 = AssignmentInput(kind="breathing", min_minutes=5, max_minutes=10, note="Slowly.")
FORMER = Persona("former", "former@example.org", "Fran Former", Role.THERAPIST)


async def person(name: str, role: Role, zone: str = "Europe/Berlin") -> User:
    """An account named `name`, at name@example.org (no usable password)."""
    return await accounts.create_user(
        email=f"{name}@example.org",
        display_name=name.title(),
        role=role,
        time_zone=zone,
        password_hash=passwords.dummy_hash(),
    )


@pytest.fixture
def alice(orm: Orm) -> User:
    """A patient in Berlin."""
    return orm.run(person("alice", Role.PATIENT))


@pytest.fixture
def bob(orm: Orm, alice: User) -> User:
    """A therapist with Alice on his caseload since TEST_NOW."""
    bob = orm.run(person("bob", Role.THERAPIST))
    orm.run(care.assign(bob, alice, now=TEST_NOW))
    return bob


@pytest.fixture
def former(client: Client, personas: dict[str, User]) -> Persona:
    """A therapist who was on the patient's care team and no longer is."""

    async def make() -> None:
        user = await accounts.create_user(
            email=FORMER.email,
            display_name=FORMER.display_name,
            role=FORMER.role,
            password_hash=persona_password_hash(),
        )
        await care.assign(user, personas["patient"], now=TEST_NOW - timedelta(days=30))
        await care.unassign(user.id, personas["patient"].id, now=TEST_NOW - timedelta(days=1))

    client.run(make)
    return FORMER


def assignment_state(client: Client) -> tuple[Any, ...]:
    """Every stored assignment, version and pause: what a refused request must leave alone."""

    async def read() -> tuple[Any, ...]:
        return (
            await PracticeAssignment.all().values_list("id", "ended_on"),
            await AssignmentVersion.all().values_list("id", "note", "frequency"),
            await AssignmentPause.all().values_list("id", "resumed_on"),
        )

    return client.run(read)


async def published(
    title: str,
    *,
    minutes: float,
    kind: Kind = Kind.BREATHING,
    contraindications: list[str] | None = None,
    posture: Posture = Posture.SEATED,
    now: datetime,
) -> PracticeSession:
    return await PracticeSession.create(
        title=title,
        kind=kind,
        status=Status.PUBLISHED,
        duration_seconds=minutes * 60,
        contraindications=contraindications or [],
        posture=posture,
        created_at=now,
        updated_at=now,
        published_at=now,
    )


async def practised(
    patient_id: int,
    started_at: datetime,
    *,
    session: PracticeSession | None = None,
    kind: Kind | PracticeKind = Kind.BREATHING,
    minutes: float = 7,
    complete: bool = True,
    time_zone: str = "Europe/Berlin",
    evidence: Evidence | None = None,
    other_label: str = "",
) -> PracticeLog:
    """A practice: played here (a session, listened to the end or only a little) or logged."""
    if session is not None:
        length = session.duration_seconds
        return await PracticeLog.create(
            patient_id=patient_id,
            session_id=session.id,
            kind=session.kind,
            evidence=evidence or Evidence.OBSERVED_PLAYBACK,
            started_at=started_at,
            time_zone=time_zone,
            listened_seconds=int(length if complete else length / 10),
            duration_seconds=length,
            completed=complete,
            created_at=started_at,
            updated_at=started_at,
        )
    return await PracticeLog.create(
        patient_id=patient_id,
        kind=kind,
        other_label=other_label,
        evidence=evidence or Evidence.SELF_REPORT,
        started_at=started_at,
        time_zone=time_zone,
        listened_seconds=int(minutes * 60),
        completed=complete,
        created_at=started_at,
        updated_at=started_at,
    )


async def rated(practice: PracticeLog, before: int, after: int) -> None:
    for level, context in (
        (before, CheckinContext.BEFORE_SESSION),
        (after, CheckinContext.AFTER_SESSION),
    ):
        await Checkin.create(
            patient_id=practice.patient_id,
            level=level,
            context=context,
            practice_id=practice.id,
            occurred_at=practice.started_at,
            recorded_at=practice.started_at,
        )


async def distressed(patient_id: int, level: int, moment: datetime) -> Checkin:
    """A quick check-in at `level`, `moment`, with the high-distress alert it raised (as the
    reports list them), without going through the alert rules."""
    checkin = await Checkin.create(
        patient_id=patient_id, level=level, occurred_at=moment, recorded_at=moment
    )
    await Alert.create(
        patient_id=patient_id,
        reason=AlertReason.HIGH_DISTRESS,
        value=level,
        source_type="checkin",
        source_id=checkin.id,
        created_at=moment,
    )
    return checkin
