"""Alert e-mails: written with the alert or not at all, to the right people, one message per
person however many alerts wait, retried with back-off, never sent twice, and never carrying
health data. Delivery goes to a real SMTP server on a local port (tests/mail_servers.py)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from email.message import EmailMessage

import pytest
from tortoise.transactions import in_transaction

from tests.caseload_fixtures import person
from tests.conftest import TEST_NOW
from tests.mail_servers import (
    PUBLIC_URL,
    Received,
    dropping_server,
    free_port,
    mail_settings,
    refusing_server,
)
from tests.services.conftest import Orm
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.care.policy import AlertCause, AlertReason
from wellness.checkins import services as checkins
from wellness.checkins.models import Checkin
from wellness.lib.clock import FixedClock
from wellness.notifications import delivery, outbox, rules
from wellness.notifications.mailer import SmtpMailer, mailer_for
from wellness.notifications.models import AlertEmail
from wellness.notifications.rules import Audience, EmailStatus
from wellness.settings import CarePolicy

EMAILING = CarePolicy(email_alerts=True)
NOTE = "Marker-3c1d shaking since the dose was cut"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_NOW)


def outbox_rows(orm: Orm) -> list[AlertEmail]:
    return orm.run(AlertEmail.all().order_by("id"))


def high_rating(orm: Orm, patient: User, *, policy: CarePolicy = EMAILING) -> checkins.Recorded:
    entry = checkins.CheckinInput(level=9, note=NOTE, tags=["cant-sleep"])
    return orm.run(checkins.record_checkin(patient, entry, policy=policy, now=TEST_NOW))


def deliver(orm: Orm, port: int, clock: FixedClock) -> delivery.Round:
    mail = mail_settings(port)
    return orm.run(delivery.deliver_due(mailer_for(mail.server, PUBLIC_URL), mail, clock))


# --- Written with the alert, or not at all ---------------------------------------------------


def test_a_high_rating_queues_an_email_for_the_therapist_with_its_alert(
    orm: Orm, alice: User, bob: User
) -> None:
    recorded = high_rating(orm, alice)

    (row,) = outbox_rows(orm)
    assert len(recorded.alerts) == 1
    assert (row.alert_id, row.recipient_id) == (recorded.alerts[0].id, bob.id)
    assert (row.status, row.audience, row.attempts) == (EmailStatus.PENDING, Audience.CARE_TEAM, 0)
    assert row.next_attempt_at == TEST_NOW


def test_nothing_is_queued_while_email_is_off(orm: Orm, alice: User, bob: User) -> None:
    recorded = high_rating(orm, alice, policy=CarePolicy())

    assert len(recorded.alerts) == 1
    assert outbox_rows(orm) == []


def test_a_calm_rating_queues_nothing(orm: Orm, alice: User, bob: User) -> None:
    entry = checkins.CheckinInput(level=3)
    orm.run(checkins.record_checkin(alice, entry, policy=EMAILING, now=TEST_NOW))

    assert outbox_rows(orm) == []


def test_a_failure_before_commit_leaves_neither_the_alert_nor_its_email(
    orm: Orm, alice: User, bob: User
) -> None:
    cause = AlertCause(AlertReason.HIGH_DISTRESS, 9, "Rated distress 9/10")

    async def raise_then_fail() -> None:
        async with in_transaction():
            alerts = await care.raise_alerts(
                alice.id, [cause], source_type="checkin", source_id=1, now=TEST_NOW, notify=True
            )
            assert await AlertEmail.filter(alert_id=alerts[0].id).count() == 1
            raise RuntimeError("the request failed after the alert")

    with pytest.raises(RuntimeError, match="after the alert"):
        orm.run(raise_then_fail())

    assert orm.run(Alert.all().count()) == 0
    assert outbox_rows(orm) == []


def test_an_outbox_that_cannot_be_written_stores_no_rating_and_no_alert(
    orm: Orm, alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(AlertEmail, "bulk_create", refused)

    with pytest.raises(RuntimeError, match="outbox unavailable"):
        high_rating(orm, alice)

    assert orm.run(Checkin.all().count()) == 0
    assert orm.run(Alert.all().count()) == 0


# --- Who is e-mailed ------------------------------------------------------------------------


def recipients(orm: Orm, patient: User) -> outbox.Recipients:
    return orm.run(outbox.recipients_for(patient.id))


def test_every_active_therapist_on_the_team_who_keeps_emails_on_is_emailed(
    orm: Orm, alice: User, bob: User
) -> None:
    cleo = orm.run(person("cleo", Role.THERAPIST))
    dov = orm.run(person("dov", Role.THERAPIST))
    eli = orm.run(person("eli", Role.THERAPIST))
    for therapist in (cleo, dov, eli):
        orm.run(care.assign(therapist, alice, now=TEST_NOW))
    orm.run(accounts.set_alert_emails(cleo, False))  # her choice
    orm.run(accounts.set_active(dov.id, False))  # deactivated
    orm.run(care.unassign(eli.id, alice.id, now=TEST_NOW))  # left the team

    assert recipients(orm, alice) == outbox.Recipients(Audience.CARE_TEAM, (bob.id,))


def test_a_team_whose_therapists_all_turned_emails_off_emails_no_one(
    orm: Orm, alice: User, bob: User
) -> None:
    """They still see the alert on their dashboards: the administrators are not asked."""
    orm.run(person("ada", Role.ADMIN))
    orm.run(accounts.set_alert_emails(bob, False))

    assert recipients(orm, alice) == outbox.Recipients(Audience.CARE_TEAM, ())


def test_a_patient_no_active_therapist_sees_has_the_active_admins_emailed(
    orm: Orm, alice: User, bob: User
) -> None:
    ada = orm.run(person("ada", Role.ADMIN))
    bea = orm.run(person("bea", Role.ADMIN))
    orm.run(accounts.set_active(bea.id, False))
    orm.run(person("cora", Role.COORDINATOR))
    orm.run(accounts.set_active(bob.id, False))  # the only therapist on the team

    assert orm.run(care.sees_alerts(alice.id)) is False
    assert recipients(orm, alice) == outbox.Recipients(Audience.ADMINS, (ada.id,))


def test_a_patient_without_any_care_team_has_the_admins_emailed(orm: Orm, alice: User) -> None:
    ada = orm.run(person("ada", Role.ADMIN))

    high_rating(orm, alice)

    (row,) = outbox_rows(orm)
    assert (row.recipient_id, row.audience) == (ada.id, Audience.ADMINS)


# --- Delivery ---------------------------------------------------------------------------------


def body(message: EmailMessage) -> str:
    content = message.get_body(preferencelist=("plain",))
    assert content is not None
    return str(content.get_content())


def test_the_therapist_gets_one_email_that_names_no_one_and_quotes_nothing(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    high_rating(orm, alice)

    done = deliver(orm, port, clock)

    (message,) = received.wait_for(1)
    assert (done.sent, done.failed) == (1, 0)
    assert received.envelopes == [[bob.email]]
    assert message["To"] == bob.email
    assert message["Subject"] == "Wellness: a patient on your caseload needs attention"
    assert message["Auto-Submitted"] == "auto-generated"
    text = f"{message['Subject']}\n{body(message)}"
    # TEST_NOW is 14:30 UTC, 15:30 in Bob's Berlin.
    assert "A patient on your caseload reported high distress at 15:30 (your time)." in text
    assert f"Sign in to see who and respond: {PUBLIC_URL}/therapist" in text
    for secret in ("Alice", "alice", "A.", "9/10", " 9", NOTE, "Marker", "sleep", "GAD"):
        assert secret not in text, secret
    assert [row.status for row in outbox_rows(orm)] == [EmailStatus.SENT]
    assert outbox_rows(orm)[0].finished_at == TEST_NOW


def test_several_waiting_alerts_become_one_email_per_person(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    carl = orm.run(person("carl", Role.PATIENT))
    orm.run(care.assign(bob, carl, now=TEST_NOW))
    high_rating(orm, alice)
    high_rating(orm, alice)
    orm.run(checkins.record_gad7(carl, [3] * 7, occurred_at=None, policy=EMAILING, now=TEST_NOW))

    done = deliver(orm, port, clock)

    (message,) = received.wait_for(1)
    assert done.sent == 1
    assert message["Subject"] == "Wellness: patients on your caseload need attention"
    assert "2 patients on your caseload reported high distress 3 times, most recently at 15:30" in (
        body(message)
    )
    assert {row.status for row in outbox_rows(orm)} == {EmailStatus.SENT}
    assert len(outbox_rows(orm)) == 3


def test_the_admins_email_asks_them_to_give_the_patient_a_therapist(
    orm: Orm, alice: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    ada = orm.run(person("ada", Role.ADMIN, "America/New_York"))
    high_rating(orm, alice)

    deliver(orm, port, clock)

    (message,) = received.wait_for(1)
    assert message["To"] == ada.email
    assert message["Subject"] == "Wellness: a patient without a therapist needs attention"
    assert "reported high distress at 09:30 (your time)" in body(message)  # New York
    assert f"give them a therapist: {PUBLIC_URL}/admin" in body(message)
    assert "Alice" not in body(message)


def test_a_therapist_who_turned_emails_off_before_delivery_gets_none(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    high_rating(orm, alice)
    orm.run(accounts.set_alert_emails(bob, False))

    done = deliver(orm, port, clock)

    assert (done.sent, done.cancelled) == (0, 1)
    assert received.messages == []
    assert [row.status for row in outbox_rows(orm)] == [EmailStatus.CANCELLED]


def test_an_alert_acknowledged_before_delivery_is_not_emailed(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    (alert,) = high_rating(orm, alice).alerts
    orm.run(care.acknowledge(alert, bob, now=TEST_NOW))

    deliver(orm, port, clock)

    assert received.messages == []
    assert [row.status for row in outbox_rows(orm)] == [EmailStatus.CANCELLED]


# --- Failures, back-off, giving up ------------------------------------------------------------


def test_a_refused_email_is_retried_with_back_off_then_marked_failed(
    orm: Orm, alice: User, bob: User, clock: FixedClock
) -> None:
    high_rating(orm, alice)
    with refusing_server() as (port, received):
        for attempt, wait in enumerate(rules.RETRY_MINUTES, start=1):
            assert deliver(orm, port, clock).failed == 1
            (row,) = outbox_rows(orm)
            assert (row.status, row.attempts) == (EmailStatus.PENDING, attempt)
            assert row.next_attempt_at == clock.now() + timedelta(minutes=wait)
            assert row.last_error == "SMTPRecipientsRefused"
            assert row.claimed_until is None
            # Not again before its time.
            clock.advance(timedelta(minutes=wait) - timedelta(seconds=1))
            assert deliver(orm, port, clock).failed == 0
            clock.advance(timedelta(seconds=1))
        assert deliver(orm, port, clock).failed == 1  # the last attempt
        assert received.connections == rules.MAX_ATTEMPTS

        (row,) = outbox_rows(orm)
        assert (row.status, row.attempts) == (EmailStatus.FAILED, rules.MAX_ATTEMPTS)
        assert row.finished_at == clock.now()
        clock.advance(timedelta(days=1))
        assert deliver(orm, port, clock).failed == 0
        assert received.connections == rules.MAX_ATTEMPTS

    state = orm.run(outbox.outbox_state(now=clock.now()))
    assert state == outbox.OutboxState(waiting=0, failed=1, last_error="SMTPRecipientsRefused")
    assert orm.run(outbox.outbox_state(now=clock.now() + timedelta(days=7))).failed == 0


def test_a_server_that_hangs_up_or_is_not_there_is_named_by_its_error_class(
    orm: Orm, alice: User, bob: User, clock: FixedClock
) -> None:
    high_rating(orm, alice)
    with dropping_server() as port:
        deliver(orm, port, clock)
    assert outbox_rows(orm)[0].last_error == "SMTPServerDisconnected"

    clock.advance(timedelta(minutes=1))
    deliver(orm, free_port(), clock)  # nothing listens there
    assert outbox_rows(orm)[0].last_error == "SMTPConnectError"
    assert outbox_rows(orm)[0].attempts == 2


def test_an_email_that_failed_once_is_sent_once_the_server_is_back(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    high_rating(orm, alice)
    with dropping_server() as broken:
        deliver(orm, broken, clock)
    high_rating(orm, alice)  # a second alert meanwhile: due now, the first waits a minute

    done = deliver(orm, port, clock)

    assert done.sent == 1
    (message,) = received.wait_for(1)
    assert "2 times" in body(message)  # the one waiting to be retried went with it
    assert {row.status for row in outbox_rows(orm)} == {EmailStatus.SENT}


# --- Claims: never twice, and never stuck -----------------------------------------------------


def test_rows_claimed_by_a_worker_that_died_are_sent_once_its_claim_lapses(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    port, received = server
    high_rating(orm, alice)
    assert orm.run(delivery.claim(bob.id, now=clock.now())) is not None  # and then it died

    assert deliver(orm, port, clock).sent == 0
    clock.advance(rules.CLAIM)
    assert deliver(orm, port, clock).sent == 0  # held until the moment it lapses
    clock.advance(timedelta(seconds=1))
    assert deliver(orm, port, clock).sent == 1

    assert len(received.wait_for(1)) == 1
    assert [row.status for row in outbox_rows(orm)] == [EmailStatus.SENT]


def test_only_one_of_many_simultaneous_claims_takes_a_persons_rows(
    orm: Orm, alice: User, bob: User
) -> None:
    import asyncio

    high_rating(orm, alice)
    high_rating(orm, alice)

    async def race() -> list[str | None]:
        return list(await asyncio.gather(*(delivery.claim(bob.id, now=TEST_NOW) for _ in range(8))))

    tokens = orm.run(race())

    winners = [token for token in tokens if token is not None]
    assert len(winners) == 1
    assert {row.claim for row in outbox_rows(orm)} == {winners[0]}


def test_two_delivery_loops_at_once_send_each_email_exactly_once(
    orm: Orm, server: tuple[int, Received], clock: FixedClock
) -> None:
    """Two workers' loops, polling every few milliseconds, on the same outbox (on PostgreSQL,
    each query on a connection of its own, so their claims really race)."""
    import asyncio

    from wellness.notifications.loop import DeliveryLoop

    port, received = server
    mail = mail_settings(port)
    therapists = []
    for index in range(12):
        patient = orm.run(person(f"patient{index}", Role.PATIENT))
        therapist = orm.run(person(f"therapist{index}", Role.THERAPIST))
        orm.run(care.assign(therapist, patient, now=TEST_NOW))
        high_rating(orm, patient)
        therapists.append(therapist)

    async def two_workers() -> None:
        loops = [
            DeliveryLoop(
                SmtpMailer(mail.server, local_hostname="test"), mail, clock, poll_seconds=0.01
            )
            for _ in range(2)
        ]
        for running in loops:
            running.start()
        for _ in range(500):
            if await AlertEmail.filter(status=EmailStatus.PENDING).count() == 0:
                break
            await asyncio.sleep(0.02)
        for running in loops:
            await running.stop()

    orm.run(two_workers())

    received.wait_for(12)
    assert sorted(received.to()) == sorted(therapist.email for therapist in therapists)
    assert {row.status for row in outbox_rows(orm)} == {EmailStatus.SENT}


def test_a_woken_loop_delivers_without_waiting_for_its_poll(
    orm: Orm, alice: User, bob: User, server: tuple[int, Received], clock: FixedClock
) -> None:
    import asyncio
    import time

    from wellness.notifications.loop import DeliveryLoop

    port, received = server
    mail = mail_settings(port)

    async def woken() -> float:
        running = DeliveryLoop(
            mailer_for(mail.server, PUBLIC_URL), mail, clock, poll_seconds=600, settle_seconds=0
        )
        running.start()
        await asyncio.sleep(0.05)  # its first round found nothing; it now waits 10 minutes
        started = time.monotonic()
        entry = checkins.CheckinInput(level=9)
        await checkins.record_checkin(alice, entry, policy=EMAILING, now=TEST_NOW)
        for _ in range(500):
            if await AlertEmail.filter(status=EmailStatus.SENT).exists():
                break
            await asyncio.sleep(0.01)
        took = time.monotonic() - started
        await running.stop()
        return took

    assert orm.run(woken()) < 5
    assert len(received.wait_for(1)) == 1


def test_stopping_a_loop_ends_its_task_promptly(orm: Orm, clock: FixedClock) -> None:
    import asyncio
    import time

    from wellness.notifications.loop import DeliveryLoop

    mail = mail_settings(free_port())

    async def start_and_stop() -> tuple[float, int, bool]:
        running = DeliveryLoop(mailer_for(mail.server, PUBLIC_URL), mail, clock)
        running.start()
        task = running.task
        assert task is not None
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await running.stop()
        return time.monotonic() - started, running.rounds, task.done()

    took, rounds, done = orm.run(start_and_stop())

    assert done
    assert rounds == 1  # one round, then it slept: no busy loop
    assert took < 1


def test_the_settings_dataclass_never_shows_the_password() -> None:
    server = dataclasses.replace(mail_settings(25).server, username="u", password="s3cret-pw")
    assert "s3cret-pw" not in repr(server)
