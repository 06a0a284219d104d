"""Pruning the alert e-mail outbox: finished rows (sent, failed, cancelled) older than
`rules.KEEP_FINISHED` go; rows still to be sent, claimed or not, stay whatever their age."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.checkins import services as checkins
from wellness.notifications import outbox, rules
from wellness.notifications.models import AlertEmail
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


def remaining(orm: Orm) -> set[int]:
    return set(orm.run(AlertEmail.all().values_list("id", flat=True)))  # type: ignore[arg-type]


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


def test_an_empty_outbox_prunes_nothing(orm: Orm) -> None:
    assert orm.run(outbox.forget_finished(now=TEST_NOW)) == 0
