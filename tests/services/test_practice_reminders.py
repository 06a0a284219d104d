"""Practice reminders: stored with their next instant in the patient's zone, sent at that instant
only to an active patient who has not practised that practice day, never late and never twice,
retried like alert e-mails. Delivery goes to a real SMTP server on a local port.

Alice is a patient in Berlin (UTC+1 in November); TEST_NOW is Tuesday 24 November 2026, 15:30
in Berlin."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from tests.caseload_fixtures import person
from tests.conftest import TEST_NOW
from tests.mail_servers import PUBLIC_URL, Received, mail_settings, refusing_server
from tests.services.conftest import Orm
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.lib.clock import FixedClock
from wellness.notifications import reminder_delivery, reminders
from wellness.notifications.delivery import Round
from wellness.notifications.loop import DeliveryLoop
from wellness.notifications.mailer import SmtpMailer, mailer_for
from wellness.notifications.models import PracticeReminder, ReminderEmail
from wellness.notifications.reminder_rules import EVERY_DAY, weekday_mask
from wellness.notifications.rules import EmailStatus
from wellness.practice import services as practice
from wellness.practice.rules import PracticeKind
from wellness.settings import CarePolicy

POLICY = CarePolicy()
SIX_PM = 18 * 60
SIX_PM_BERLIN = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def remind(orm: Orm, patient: User, minute: int = SIX_PM, weekdays: int = EVERY_DAY) -> None:
    orm.run(
        reminders.set_reminder(
            patient, enabled=True, minute=minute, weekdays=weekdays, now=TEST_NOW
        )
    )


def deliver(orm: Orm, port: int, clock: FixedClock) -> Round:
    mail = mail_settings(port)
    mailer = mailer_for(mail.server, PUBLIC_URL)
    return orm.run(reminder_delivery.deliver_reminders(mailer, mail, clock, policy=POLICY))


def stored(orm: Orm, patient: User) -> PracticeReminder:
    return orm.run(PracticeReminder.get(patient_id=patient.id))


def emails(orm: Orm) -> list[ReminderEmail]:
    return orm.run(ReminderEmail.all().order_by("id"))


def practise(orm: Orm, patient: User, started_at: datetime, *, completed: bool = True) -> None:
    entry = practice.PracticeInput(
        started_at=started_at, listened_seconds=600, kind=PracticeKind.YOGA, completed=completed
    )
    orm.run(practice.log_practice(patient, entry, policy=POLICY, now=started_at))


# --- The setting ------------------------------------------------------------------------------


def test_a_patient_has_no_reminder_until_they_choose_one(orm: Orm, alice: User) -> None:
    assert orm.run(reminders.reminder_of(alice.id)) == reminders.OFF
    assert reminders.OFF.time == "09:00"
    assert reminders.OFF.days == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert orm.run(PracticeReminder.all().count()) == 0


def test_a_reminder_is_due_next_at_its_local_time_in_the_patients_zone(
    orm: Orm, alice: User
) -> None:
    setting, changed = orm.run(
        reminders.set_reminder(alice, enabled=True, minute=SIX_PM, weekdays=EVERY_DAY, now=TEST_NOW)
    )

    assert changed
    assert setting.next_due_at == SIX_PM_BERLIN  # later today
    row = stored(orm, alice)
    assert (row.enabled, row.minute, row.weekdays, row.time_zone) == (
        True,
        SIX_PM,
        EVERY_DAY,
        "Europe/Berlin",
    )
    assert row.next_due_at == SIX_PM_BERLIN


def test_a_time_already_past_today_waits_for_the_next_chosen_day(orm: Orm, alice: User) -> None:
    remind(orm, alice, minute=9 * 60, weekdays=weekday_mask(["tue", "fri"]))

    # Tuesday 09:00 has passed: Friday 09:00 in Berlin.
    assert stored(orm, alice).next_due_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_turning_it_off_clears_its_next_instant_and_the_same_choice_is_no_change(
    orm: Orm, alice: User
) -> None:
    remind(orm, alice)
    _, again = orm.run(
        reminders.set_reminder(alice, enabled=True, minute=SIX_PM, weekdays=EVERY_DAY, now=TEST_NOW)
    )
    off, changed = orm.run(
        reminders.set_reminder(
            alice, enabled=False, minute=SIX_PM, weekdays=EVERY_DAY, now=TEST_NOW
        )
    )

    assert not again
    assert changed
    assert off.next_due_at is None
    assert stored(orm, alice).next_due_at is None
    assert orm.run(PracticeReminder.all().count()) == 1


# --- Sent when due, to the patient, with nothing in it about their health -----------------------


def test_a_due_reminder_is_sent_once_and_moved_to_the_next_day(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN - timedelta(seconds=1))
    assert deliver(orm, port, clock).sent == 0

    clock.set(SIX_PM_BERLIN)
    assert deliver(orm, port, clock).sent == 1
    assert deliver(orm, port, clock).sent == 0  # not again

    (message,) = received.wait_for(1)
    assert message["To"] == alice.email
    assert message["Subject"] == "Your daily reminder"
    content = message.get_body(preferencelist=("plain",))
    assert content is not None
    assert content.get_content().replace("\r\n", "\n") == (
        "A reminder you asked for: a few minutes of practice today.\n\n"
        f"Open wellness: {PUBLIC_URL}/\n\n"
        f"To change or stop these reminders: {PUBLIC_URL}/account\n"
    )
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN + timedelta(days=1)
    (row,) = emails(orm)
    assert (row.status, row.due_at, row.finished_at) == (
        EmailStatus.SENT,
        SIX_PM_BERLIN,
        SIX_PM_BERLIN,
    )


def test_the_message_names_no_one_and_holds_no_health_data(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    orm.run(accounts.change_time_zone(alice, "Europe/Berlin"))
    entry = practice.PracticeInput(
        started_at=TEST_NOW - timedelta(days=1),
        listened_seconds=600,
        kind=PracticeKind.OTHER,
        other_label="Detox walk",
        completed=True,
        anxiety_before=9,
        anxiety_after=7,
        note="Marker-51aa withdrawal shakes",
    )
    orm.run(practice.log_practice(alice, entry, policy=POLICY, now=TEST_NOW))
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN)

    deliver(orm, port, clock)

    (message,) = received.wait_for(1)
    content = message.get_body(preferencelist=("plain",))
    assert content is not None
    text = f"{message['Subject']}\n{content.get_content()}".lower()
    for secret in (alice.display_name, "alice", "9/10", "detox", "withdrawal", "marker-51aa"):
        assert secret.lower() not in text, secret
    for telling in ("anxiety", "addiction", "rehab", "therap", "recovery", "streak", "yoga"):
        assert telling not in text, telling


def test_only_the_chosen_weekdays_get_a_reminder(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    remind(orm, alice, weekdays=weekday_mask(["wed"]))
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN + timedelta(days=1)  # Wednesday

    clock.set(SIX_PM_BERLIN)  # Tuesday 18:00
    assert deliver(orm, port, clock).sent == 0
    clock.set(SIX_PM_BERLIN + timedelta(days=1))
    assert deliver(orm, port, clock).sent == 1
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN + timedelta(days=8)
    assert len(received.wait_for(1)) == 1


def test_one_round_sends_every_reminder_due_batch_after_batch(
    orm: Orm, server: tuple[int, Received], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminder_delivery, "REMINDERS_PER_ROUND", 3)
    patients = [orm.run(person(f"patient{index}", Role.PATIENT)) for index in range(8)]
    for patient in patients:
        remind(orm, patient)
    port, received = server
    clock.set(SIX_PM_BERLIN)

    assert deliver(orm, port, clock).sent == 8

    received.wait_for(8)
    assert sorted(received.to()) == sorted(patient.email for patient in patients)


# --- Not sent ---------------------------------------------------------------------------------


def test_a_patient_who_practised_that_practice_day_gets_no_reminder(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    practise(orm, alice, TEST_NOW)  # 15:30 in Berlin
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN)

    done = deliver(orm, port, clock)

    assert done.sent == 0
    assert received.messages == []
    assert emails(orm) == []
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN + timedelta(days=1)  # moved on
    clock.set(SIX_PM_BERLIN + timedelta(days=1))  # Wednesday: no practice yet
    assert deliver(orm, port, clock).sent == 1


def test_practice_before_the_rollover_hour_counts_for_the_evening_before(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    """The streaks' practice day: a practice at 01:30 in Berlin belongs to the day before, so
    that day's reminder is not sent the next evening's."""
    port, received = server
    practise(orm, alice, datetime(2026, 11, 24, 0, 30, tzinfo=UTC))  # Tuesday 01:30 Berlin
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN)

    assert deliver(orm, port, clock).sent == 1  # Monday's practice, not Tuesday's
    assert received.wait_for(1)[0]["To"] == alice.email


def test_an_unfinished_practice_does_not_count_as_practised(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, _ = server
    practise(orm, alice, TEST_NOW, completed=False)
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN)

    assert deliver(orm, port, clock).sent == 1


async def deactivate(patient: User) -> None:
    await accounts.set_active(patient.id, False)


async def make_coordinator(patient: User) -> None:
    await accounts.set_role(patient.id, Role.COORDINATOR)


async def nothing(_patient: User) -> None:
    return None


@pytest.mark.parametrize(
    ("change", "late"),
    [
        pytest.param(deactivate, timedelta(0), id="deactivated"),
        pytest.param(make_coordinator, timedelta(0), id="no-longer-a-patient"),
        pytest.param(nothing, timedelta(hours=2, minutes=1), id="over-two-hours-late"),
    ],
)
def test_no_reminder_goes_and_the_next_one_is_kept(
    orm: Orm,
    alice: User,
    server: tuple[int, Received],
    clock: FixedClock,
    change: Callable[[User], Awaitable[None]],
    late: timedelta,
) -> None:
    """A deactivated account, one that is no longer a patient's, or a reminder found more than
    two hours late (the app was down): nothing is sent, late or ever, and it moves on."""
    port, received = server
    remind(orm, alice)
    orm.run(change(alice))
    clock.set(SIX_PM_BERLIN + late)

    assert deliver(orm, port, clock).sent == 0
    assert deliver(orm, port, clock).sent == 0
    assert received.messages == []
    assert emails(orm) == []
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN + timedelta(days=1)


def test_a_reminder_less_than_two_hours_late_is_still_sent(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, _ = server
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN + timedelta(hours=1, minutes=59))

    assert deliver(orm, port, clock).sent == 1


def test_after_days_down_no_reminder_is_sent_and_only_the_next_one_is_kept(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN + timedelta(days=3, hours=1))  # Friday 19:00 in Berlin

    assert deliver(orm, port, clock).sent == 0
    assert deliver(orm, port, clock).sent == 0
    assert received.messages == []
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN + timedelta(days=4)  # Saturday 18:00


# --- A change of time zone --------------------------------------------------------------------


def test_a_change_of_time_zone_moves_the_next_reminder(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    remind(orm, alice)
    clock.set(TEST_NOW + timedelta(minutes=5))

    orm.run(reminders.change_time_zone(alice, "New York", now=clock.now()))

    six_pm_new_york = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    row = stored(orm, alice)
    assert (row.time_zone, row.next_due_at) == ("America/New_York", six_pm_new_york)
    assert orm.run(User.get(id=alice.id)).time_zone == "America/New_York"
    clock.set(SIX_PM_BERLIN)
    assert deliver(orm, port, clock).sent == 0
    clock.set(six_pm_new_york)
    assert deliver(orm, port, clock).sent == 1
    assert stored(orm, alice).next_due_at == six_pm_new_york + timedelta(days=1)
    assert len(received.wait_for(1)) == 1


def test_a_zone_east_brings_the_reminder_forward(orm: Orm, alice: User) -> None:
    remind(orm, alice, minute=22 * 60)  # 21:00 UTC from Berlin

    orm.run(reminders.change_time_zone(alice, "Asia/Kolkata", now=TEST_NOW))

    assert stored(orm, alice).next_due_at == datetime(2026, 11, 24, 16, 30, tzinfo=UTC)


def test_a_refused_zone_changes_neither_the_account_nor_the_reminder(orm: Orm, alice: User) -> None:
    remind(orm, alice)

    with pytest.raises(accounts.AccountError):
        orm.run(reminders.change_time_zone(alice, "Atlantis/Lost", now=TEST_NOW))

    assert orm.run(User.get(id=alice.id)).time_zone == "Europe/Berlin"
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN


# --- Failures and retries ---------------------------------------------------------------------


def test_a_refused_reminder_is_retried_within_two_hours_then_failed(
    orm: Orm, alice: User, clock: FixedClock
) -> None:
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN)
    with refusing_server() as (port, received):
        for _ in range(20):
            deliver(orm, port, clock)
            (row,) = emails(orm)
            if row.status is not EmailStatus.PENDING:
                break
            assert row.next_attempt_at <= SIX_PM_BERLIN + timedelta(hours=2)
            clock.set(row.next_attempt_at)

    (row,) = emails(orm)
    assert row.status is EmailStatus.FAILED
    assert row.last_error == "SMTPRecipientsRefused"
    assert row.attempts == received.connections == 7  # 1, 2, 5, 10, 20 and 30 minutes apart
    assert row.finished_at is not None
    assert row.finished_at <= SIX_PM_BERLIN + timedelta(hours=2)
    figures = orm.run(reminders.reminder_figures(now=clock.now()))
    assert figures == reminders.ReminderFigures(
        sent=0, failed=1, last_error="SMTPRecipientsRefused", patients_on=1
    )


def test_a_retry_is_dropped_once_the_patient_has_practised(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN)
    with refusing_server() as (refusing, _):
        assert deliver(orm, refusing, clock).failed == 1
    practise(orm, alice, SIX_PM_BERLIN + timedelta(seconds=30))
    clock.advance(timedelta(minutes=1))

    assert deliver(orm, port, clock).cancelled == 1
    assert received.messages == []
    assert [row.status for row in emails(orm)] == [EmailStatus.CANCELLED]


def test_the_figures_count_the_last_seven_days(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, _ = server
    remind(orm, alice)
    clock.set(SIX_PM_BERLIN)
    deliver(orm, port, clock)

    figures = orm.run(reminders.reminder_figures(now=clock.now()))
    assert (figures.sent, figures.failed, figures.patients_on) == (1, 0, 1)
    later = clock.now() + timedelta(days=7, seconds=1)
    assert orm.run(reminders.reminder_figures(now=later)).sent == 0


# --- Never twice ------------------------------------------------------------------------------


def test_only_one_of_many_simultaneous_takes_moves_a_reminder_on(
    orm: Orm, alice: User, clock: FixedClock
) -> None:
    remind(orm, alice)
    row = stored(orm, alice)

    async def race() -> list[ReminderEmail | None]:
        return list(
            await asyncio.gather(
                *(reminder_delivery.take(row, policy=POLICY, now=SIX_PM_BERLIN) for _ in range(8))
            )
        )

    taken = [email for email in orm.run(race()) if email is not None]

    assert len(taken) == 1
    assert [email.id for email in emails(orm)] == [taken[0].id]
    assert stored(orm, alice).next_due_at == SIX_PM_BERLIN + timedelta(days=1)


def test_two_delivery_loops_at_once_send_each_reminder_exactly_once(
    orm: Orm, server: tuple[int, Received], clock: FixedClock
) -> None:
    """Two workers' loops, polling every few milliseconds (on PostgreSQL, each query on a
    connection of its own, so their UPDATEs really race)."""
    port, received = server
    mail = mail_settings(port)
    patients = []
    for index in range(12):
        patient = orm.run(person(f"patient{index}", Role.PATIENT))
        remind(orm, patient)
        patients.append(patient)
    clock.set(SIX_PM_BERLIN)

    async def two_workers() -> None:
        loops = [
            DeliveryLoop(
                SmtpMailer(mail.server, local_hostname="test"),
                mail,
                clock,
                jobs=(reminder_delivery.reminder_job(POLICY),),
                poll_seconds=0.01,
            )
            for _ in range(2)
        ]
        for running in loops:
            running.start()
        for _ in range(500):
            if await ReminderEmail.filter(status=EmailStatus.SENT).count() == 12:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # time for a second copy, were there one
        for running in loops:
            await running.stop()

    orm.run(two_workers())

    received.wait_for(12)
    assert sorted(received.to()) == sorted(patient.email for patient in patients)
    assert {row.status for row in emails(orm)} == {EmailStatus.SENT}
    assert len(emails(orm)) == 12
