"""Idempotent writes under concurrency: copies of one request racing each other write once.

Each test runs on SQLite and on a PostgreSQL database of its own (see `any_orm`): SQLite
serialises transactions on its one connection, PostgreSQL runs them side by side and the
unique (user, key) index decides; both must end with exactly one stored write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin
from wellness.lib.validation import FieldError
from wellness.settings import CarePolicy
from wellness.system import idempotency
from wellness.system.idempotency import Answer
from wellness.system.models import IdempotentRequest

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
COPIES = 25
PATH = "/api/v1/checkins"


def make_patient(orm: Orm, email: str = "racing.patient@example.org") -> User:
    return orm.run(
        accounts.create_user(
            email=email,
            display_name="Racing Patient",
            role=Role.PATIENT,
            password_hash=passwords.dummy_hash(),
        )
    )


class CheckinWrite:
    """The write behind POST /api/v1/checkins, counting how often it actually ran."""

    def __init__(self, patient: User, level: int) -> None:
        self.patient, self.level, self.runs = patient, level, 0

    @property
    def fingerprint(self) -> str:
        return idempotency.fingerprint("POST", PATH, f'{{"level":{self.level}}}'.encode())

    async def __call__(self) -> tuple[int, bytes]:
        self.runs += 1
        await asyncio.sleep(0)  # let the other copies run up to this point too
        entry = checkins.CheckinInput(self.level)
        recorded = await checkins.record_checkin(self.patient, entry, policy=CarePolicy(), now=NOW)
        return 201, f'{{"id":{recorded.checkin.id},"level":{self.level}}}'.encode()


def send(user: User, key: str, write: CheckinWrite) -> Awaitable[Answer]:
    return idempotency.answer_once(user.id, key, write.fingerprint, write, now=NOW)


async def race(calls: list[Callable[[], Awaitable[Answer]]]) -> list[Answer | BaseException]:
    return await asyncio.gather(*(call() for call in calls), return_exceptions=True)


def test_concurrent_copies_of_one_request_store_one_write(any_orm: Orm) -> None:
    patient = make_patient(any_orm)
    write = CheckinWrite(patient, level=5)

    answers = any_orm.run(race([lambda: send(patient, "one-key", write)] * COPIES))

    assert all(isinstance(answer, Answer) for answer in answers), answers
    assert any_orm.run(Checkin.filter(patient_id=patient.id).count()) == 1
    assert any_orm.run(IdempotentRequest.filter(user_id=patient.id).count()) == 1
    stored = any_orm.run(Checkin.get(patient_id=patient.id))
    bodies = {answer.body for answer in answers if isinstance(answer, Answer)}
    assert bodies == {f'{{"id":{stored.id},"level":5}}'.encode()}
    assert {answer.status_code for answer in answers if isinstance(answer, Answer)} == {201}
    originals = [answer for answer in answers if isinstance(answer, Answer) and not answer.replayed]
    assert len(originals) == 1
    # The race really happened: more than one copy got as far as running the write.
    assert write.runs > 1


def test_a_late_retry_replays_without_writing(any_orm: Orm) -> None:
    patient = make_patient(any_orm)
    write = CheckinWrite(patient, level=3)
    first = any_orm.run(send(patient, "late-key", write))

    again = any_orm.run(send(patient, "late-key", write))

    assert (first.replayed, again.replayed) == (False, True)
    assert again.body == first.body
    assert write.runs == 1
    assert any_orm.run(Checkin.all().count()) == 1


def test_racing_requests_with_one_key_and_two_payloads_store_one_and_refuse_the_other(
    any_orm: Orm,
) -> None:
    patient = make_patient(any_orm)
    five, six = CheckinWrite(patient, level=5), CheckinWrite(patient, level=6)
    calls = [lambda: send(patient, "shared", five), lambda: send(patient, "shared", six)]

    answers = any_orm.run(race(calls * (COPIES // 2)))

    stored = any_orm.run(Checkin.all())
    assert len(stored) == 1
    winner = stored[0].level
    assert any_orm.run(IdempotentRequest.all().count()) == 1
    for index, answer in enumerate(answers):
        level = 5 if index % 2 == 0 else 6
        if level == winner:
            assert isinstance(answer, Answer), answer
            assert f'"level":{winner}'.encode() in answer.body
        else:
            assert isinstance(answer, FieldError), answer
            assert answer.field == "Idempotency-Key"


def test_concurrent_requests_with_different_keys_all_write(any_orm: Orm) -> None:
    patient = make_patient(any_orm)
    write = CheckinWrite(patient, level=4)
    calls = [lambda key=f"key-{n}": send(patient, key, write) for n in range(COPIES)]

    answers = any_orm.run(race(calls))  # type: ignore[arg-type]

    assert all(isinstance(answer, Answer) and not answer.replayed for answer in answers)
    assert any_orm.run(Checkin.all().count()) == COPIES
    assert any_orm.run(IdempotentRequest.all().count()) == COPIES


def test_keys_are_per_user_even_when_racing(any_orm: Orm) -> None:
    one = make_patient(any_orm, "one@example.org")
    two = make_patient(any_orm, "two@example.org")
    writes = {one.id: CheckinWrite(one, 2), two.id: CheckinWrite(two, 2)}
    calls = [
        lambda user=user: send(user, "same-key", writes[user.id])
        for user in [one, two] * (COPIES // 2)
    ]

    answers = any_orm.run(race(calls))  # type: ignore[arg-type]

    assert all(isinstance(answer, Answer) for answer in answers), answers
    assert any_orm.run(Checkin.filter(patient_id=one.id).count()) == 1
    assert any_orm.run(Checkin.filter(patient_id=two.id).count()) == 1


@pytest.mark.parametrize("key", ["", "x" * 129, "has space", "ünïcode", "a/b"])
def test_malformed_keys_are_refused(key: str) -> None:
    with pytest.raises(FieldError) as refused:
        idempotency.check_key(key)

    assert refused.value.field == "Idempotency-Key"


def test_a_uuid_is_a_good_key() -> None:
    key = "4b8a1c9e-7d0f-4c1e-9a7b-2f6e8d3c5a10"

    assert idempotency.check_key(key) == key
