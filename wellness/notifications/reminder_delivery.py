"""Sending practice reminders that are due: one round of the e-mail loop (`loop`).

1. A reminder is due when its `next_due_at` has come. The worker that moves it on to its next
   instant (after now, so reminders never pile up) with one conditional UPDATE, on the value it
   read, is the only one that acts on it: several workers never send the same reminder twice.
2. It then sends nothing when the reminder is more than `reminder_rules.LATE` late (the app was
   down), when the account is deactivated or no longer a patient's, or when the patient has
   practised on the reminder's practice day (the streaks' rule: a completed practice, on the
   day `practice.streaks.practice_day` gives with the clinic's rollover hour).
3. Otherwise it writes the reminder's e-mail row already claimed by itself (`claims`), in the
   UPDATE's transaction, and sends it. A failed one is tried again like an alert e-mail, but
   never once the reminder would be too late, and not once the patient has practised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.lib.clock import Clock
from wellness.notifications import claims
from wellness.notifications import reminder_rules as rules
from wellness.notifications.delivery import Round
from wellness.notifications.loop import Job
from wellness.notifications.mailer import Mailer, send_text
from wellness.notifications.models import PracticeReminder, ReminderEmail
from wellness.notifications.rules import CLAIM, EmailStatus
from wellness.practice import services as practice
from wellness.practice.streaks import practice_day
from wellness.settings import CarePolicy, MailSettings

log = logging.getLogger(__name__)
REMINDERS_PER_ROUND = 50  # read at once
BATCHES_PER_ROUND = 20  # at most 1,000 reminders a round; the next round takes the rest


def reminder_job(policy: CarePolicy) -> Job:
    """The loop's job for reminders, judging practice days by the clinic's `policy`."""

    async def job(
        mailer: Mailer, mail: MailSettings, clock: Clock, *, stop: Callable[[], bool]
    ) -> Round:
        return await deliver_reminders(mailer, mail, clock, policy=policy, stop=stop)

    return job


async def deliver_reminders(
    mailer: Mailer,
    mail: MailSettings,
    clock: Clock,
    *,
    policy: CarePolicy,
    stop: Callable[[], bool] = lambda: False,
) -> Round:
    """One round: every reminder due now is moved on and, where it still should, sent; then
    every reminder e-mail waiting for another attempt."""
    done = Round()
    for _ in range(BATCHES_PER_ROUND):  # everyone due at 09:00 in one round, not one per poll
        batch = await due_reminders(clock.now(), limit=REMINDERS_PER_ROUND)
        for reminder in batch:
            if stop():
                return done
            row = await take(reminder, policy=policy, now=clock.now())
            if row is not None:
                await _send(mailer, mail, clock, row, policy, done)
        if len(batch) < REMINDERS_PER_ROUND:
            break
    retries = await ReminderEmail.filter(
        claims.unclaimed(clock.now()),
        status=EmailStatus.PENDING,
        next_attempt_at__lte=clock.now(),
    ).values_list("id", flat=True)
    for email_id in retries:
        if stop():
            break
        now = clock.now()
        token = await claims.claim(ReminderEmail, Q(id=email_id, next_attempt_at__lte=now), now=now)
        if token is not None:
            await _send(mailer, mail, clock, await ReminderEmail.get(id=email_id), policy, done)
    return done


async def due_reminders(
    now: datetime, *, limit: int = REMINDERS_PER_ROUND
) -> list[PracticeReminder]:
    """Reminders due at `now`, the longest due first."""
    return (
        await PracticeReminder.filter(enabled=True, next_due_at__lte=now)
        .order_by("next_due_at", "id")
        .limit(limit)
    )


async def take(
    reminder: PracticeReminder, *, policy: CarePolicy, now: datetime
) -> ReminderEmail | None:
    """Move `reminder` on to its next instant; if this worker did (rule 1) and it should still
    go (rule 2), its e-mail row, claimed by this worker (rule 3). None: nothing to send."""
    due = reminder.next_due_at
    assert due is not None  # due reminders have an instant
    patient = await User.get_or_none(id=reminder.patient_id)
    zone = patient.time_zone if patient is not None else reminder.time_zone
    following = rules.next_due(reminder.minute, reminder.weekdays, zone, after=max(now, due))
    goes = patient is not None and await _still_wanted(patient, due, policy=policy, now=now)
    async with in_transaction():
        moved = await PracticeReminder.filter(id=reminder.id, enabled=True, next_due_at=due).update(
            next_due_at=following, time_zone=zone
        )
        if not moved or not goes:
            return None
        return await ReminderEmail.create(
            patient_id=reminder.patient_id,
            due_at=due,
            status=EmailStatus.PENDING,
            created_at=now,
            next_attempt_at=now,
            claim=claims.new_token(),
            claimed_until=now + CLAIM,
        )


async def _still_wanted(patient: User, due: datetime, *, policy: CarePolicy, now: datetime) -> bool:
    """Rule 2: on time, an active patient's, and not practised on the reminder's day."""
    if rules.too_late(due, now) or not patient.is_active:
        return False
    if not permissions.is_patient(patient.role):
        return False
    day = practice_day(due, patient.time_zone, policy.day_rollover_hour)
    streak = await practice.streak_for(patient, policy=policy, now=now)
    return day not in streak.practice_days


async def _send(
    mailer: Mailer,
    mail: MailSettings,
    clock: Clock,
    row: ReminderEmail,
    policy: CarePolicy,
    done: Round,
) -> None:
    """Send the reminder e-mail `row` this worker holds (rule 3)."""
    token = row.claim
    patient = await User.get_or_none(id=row.patient_id)
    if patient is None or not await _still_wanted(
        patient, row.due_at, policy=policy, now=clock.now()
    ):
        await claims.finish(ReminderEmail, [row.id], token, EmailStatus.CANCELLED, now=clock.now())
        done.cancelled += 1
        return
    text = rules.compose(mail.public_url)
    error = await send_text(mailer, mail, text, to=patient.email, now=clock.now())
    if error:
        until = rules.retry_until(row.due_at)
        await claims.failed(ReminderEmail, [row], token, error, now=clock.now(), retry_until=until)
        done.failed += 1
        log.warning("practice reminder to account %s not sent (%s)", patient.id, error)
        return
    await claims.finish(ReminderEmail, [row.id], token, EmailStatus.SENT, now=clock.now())
    done.sent += 1
    done.recipients.append(patient.id)
