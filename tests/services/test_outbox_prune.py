"""Pruning the e-mail outboxes (alerts, practice reminders, password resets): finished rows
(sent, failed, cancelled) older than `rules.KEEP_FINISHED` go; rows still to be sent, claimed or
not, stay whatever their age; password reset links go once expired that long ago."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import PasswordReset, User
from wellness.checkins import services as checkins
from wellness.notifications import outbox, rules
from wellness.notifications.models import AlertEmail, PasswordResetEmail, ReminderEmail
from wellness.notifications.rules import Audience, EmailStatus
from wellness.settings import CarePolicy

LONG_AGO = TEST_NOW - timedelta(days=400)


def an_alert(orm: Orm, patient: User) -> int:
    entry = checkins.CheckinInput(level=9)
    recorded = orm.run(checkins.record_checkin(patient, entry, policy=CarePolicy(), now=TEST_NOW))
    return recorded.alerts[0].id


def outbox_row(
    orm: Orm,
    alert_id: int,
    recipient: User,
    status: EmailStatus,
    *,
    finished_at: datetime | None = None,
    claimed_until: datetime | None = None,
) -> int:
    row = orm.run(
        AlertEmail.create(
            alert_id=alert_id,
            recipient_id=recipient.id,
            audience=Audience.CARE_TEAM,
            status=status,
            created_at=LONG_AGO,
            next_attempt_at=LONG_AGO,
            claim="token" if claimed_until else "",
            claimed_until=claimed_until,
            finished_at=finished_at,
        )
    )
    return row.id


def remaining(orm: Orm, table: type[AlertEmail | ReminderEmail] = AlertEmail) -> set[int]:
    return set(orm.run(table.all().values_list("id", flat=True)))  # type: ignore[arg-type]


def test_the_finished_statuses_are_every_status_but_pending() -> None:
    assert frozenset(EmailStatus) - {EmailStatus.PENDING} == rules.FINISHED


def test_finished_rows_older_than_the_limit_go_and_the_rest_stay(
    orm: Orm, alice: User, bob: User
) -> None:
    alert_id = an_alert(orm, alice)
    limit = TEST_NOW - rules.KEEP_FINISHED
    just_past = limit - timedelta(seconds=1)
    gone = {
        outbox_row(orm, alert_id, bob, status, finished_at=just_past)
        for status in (EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.CANCELLED)
    }
    kept = {
        outbox_row(orm, alert_id, bob, EmailStatus.SENT, finished_at=limit),  # at the boundary
        outbox_row(orm, alert_id, bob, EmailStatus.FAILED, finished_at=TEST_NOW),
        outbox_row(orm, alert_id, bob, EmailStatus.PENDING),  # waiting since LONG_AGO
        outbox_row(orm, alert_id, bob, EmailStatus.PENDING, claimed_until=TEST_NOW),
        # A pending row never has a finish time; were one left behind, it still stays.
        outbox_row(orm, alert_id, bob, EmailStatus.PENDING, finished_at=LONG_AGO),
    }

    removed = orm.run(outbox.forget_finished(now=TEST_NOW))

    assert removed == len(gone) == 3
    assert remaining(orm) == kept


def reminder_row(orm: Orm, patient: User, status: EmailStatus, finished_at: datetime | None) -> int:
    row = orm.run(
        ReminderEmail.create(
            patient_id=patient.id,
            due_at=LONG_AGO,
            status=status,
            created_at=LONG_AGO,
            next_attempt_at=LONG_AGO,
            finished_at=finished_at,
        )
    )
    return row.id


def test_finished_reminder_emails_older_than_the_limit_go_too(orm: Orm, alice: User) -> None:
    limit = TEST_NOW - rules.KEEP_FINISHED
    reminder_row(orm, alice, EmailStatus.SENT, limit - timedelta(seconds=1))
    reminder_row(orm, alice, EmailStatus.FAILED, limit - timedelta(days=1))
    kept = {
        reminder_row(orm, alice, EmailStatus.SENT, limit),
        reminder_row(orm, alice, EmailStatus.PENDING, None),
    }

    removed = orm.run(outbox.forget_finished(now=TEST_NOW))

    assert removed == 2
    assert remaining(orm, ReminderEmail) == kept


def test_an_empty_outbox_prunes_nothing(orm: Orm) -> None:
    assert orm.run(outbox.forget_finished(now=TEST_NOW)) == 0


def test_reset_links_and_their_e_mails_go_once_expired_that_long_ago(orm: Orm, alice: User) -> None:
    def link(issued: datetime, digest: str) -> int:
        reset = orm.run(
            PasswordReset.create(
                user_id=alice.id,
                token_digest=digest,
                created_at=issued,
                expires_at=issued + timedelta(minutes=30),
                used_at=issued,
            )
        )
        orm.run(
            PasswordResetEmail.create(
                reset_id=reset.id,
                status=EmailStatus.SENT,
                created_at=issued,
                next_attempt_at=issued,
                finished_at=issued,
            )
        )
        return reset.id

    old = link(LONG_AGO, "a" * 64)
    recent = link(TEST_NOW - timedelta(days=30), "b" * 64)

    assert orm.run(outbox.forget_finished(now=TEST_NOW)) == 1

    links = orm.run(PasswordReset.all())
    emails = orm.run(PasswordResetEmail.all())
    assert [reset.id for reset in links] == [recent]
    assert [email.reset_id for email in emails] == [recent]
    assert old != recent
