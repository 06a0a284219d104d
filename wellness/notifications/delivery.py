"""Sending what the alert outbox holds: claim, send one message per recipient, record the outcome.

Several workers (and hosts) may run this at once on PostgreSQL. A row is sent only by the worker
whose single UPDATE claimed it (`claims`, shared with reminder e-mails). Nothing here holds a
transaction open while talking to the mail server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.expressions import Q

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.care.models import Alert
from wellness.lib.clock import Clock
from wellness.notifications import claims, rules
from wellness.notifications.mailer import Mailer, send_text
from wellness.notifications.models import AlertEmail
from wellness.notifications.rules import Audience, EmailStatus
from wellness.settings import MailSettings

log = logging.getLogger(__name__)
RECIPIENTS_PER_ROUND = 50


@dataclass
class Round:
    """What one round of delivery did, counted in messages (each covers one or more rows)."""

    sent: int = 0
    failed: int = 0  # attempts that failed (to be tried again, or given up)
    cancelled: int = 0  # rows not sent: the recipient no longer takes them
    recipients: list[int] = field(default_factory=list)


async def due_recipients(now: datetime, *, limit: int = RECIPIENTS_PER_ROUND) -> list[int]:
    """People with an outbox row due now that no one holds, oldest first."""
    rows = (
        await AlertEmail.filter(
            claims.unclaimed(now), status=EmailStatus.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .limit(limit * 10)
        .values_list("recipient_id", flat=True)
    )
    return list(dict.fromkeys(int(row) for row in rows))[:limit]  # type: ignore[call-overload]


async def claim(recipient_id: int, *, now: datetime) -> str | None:
    """Take every pending row of this person no one holds (those waiting for a retry too: one
    message then covers them all); the claim's token, or None when another worker was first."""
    return await claims.claim(AlertEmail, Q(recipient_id=recipient_id), now=now)


async def deliver_due(
    mailer: Mailer, mail: MailSettings, clock: Clock, *, stop: Callable[[], bool] = lambda: False
) -> Round:
    """One round: every recipient with something due gets one message, unless `stop` says to
    stop between recipients. Reads the clock for each, so a long round claims with fresh times."""
    done = Round()
    for recipient_id in await due_recipients(clock.now()):
        if stop():
            break
        token = await claim(recipient_id, now=clock.now())
        if token is not None:
            await _deliver_claimed(mailer, mail, clock, recipient_id, token, done)
            done.recipients.append(recipient_id)
    return done


async def _deliver_claimed(
    mailer: Mailer, mail: MailSettings, clock: Clock, recipient_id: int, token: str, done: Round
) -> None:
    rows = await AlertEmail.filter(claim=token, status=EmailStatus.PENDING).order_by("id")
    recipient = await User.get_or_none(id=recipient_id)
    alerts = {
        alert.id: alert for alert in await Alert.filter(id__in={row.alert_id for row in rows})
    }
    keep = [row for row in rows if _still_wanted(row, recipient, alerts.get(row.alert_id))]
    if len(keep) < len(rows):
        dropped = [row.id for row in rows if row not in keep]
        await claims.finish(AlertEmail, dropped, token, EmailStatus.CANCELLED, now=clock.now())
        done.cancelled += len(dropped)
    if recipient is None:
        return
    for audience in Audience:
        group = [row for row in keep if row.audience is audience]
        if group:
            await _send(mailer, mail, clock, recipient, audience, group, alerts, token, done)


def _still_wanted(row: AlertEmail, recipient: User | None, alert: Alert | None) -> bool:
    """Sent only while the person still takes it: active, in the role it was chosen for (and for
    a therapist, e-mails still on), and while the alert is still open."""
    if recipient is None or not recipient.is_active or alert is None:
        return False
    if alert.acknowledged_at is not None:
        return False  # someone on the care team has seen it
    if row.audience is Audience.ADMINS:
        return permissions.can_manage_accounts(recipient.role)
    return permissions.can_see_caseload(recipient.role) and recipient.alert_emails


async def _send(
    mailer: Mailer,
    mail: MailSettings,
    clock: Clock,
    recipient: User,
    audience: Audience,
    rows: list[AlertEmail],
    alerts: dict[int, Alert],
    token: str,
    done: Round,
) -> None:
    now = clock.now()
    raised = [alerts[row.alert_id] for row in rows]
    home = "/admin" if audience is Audience.ADMINS else permissions.home_path(recipient.role)
    text = rules.compose(
        audience,
        [alert.created_at for alert in raised],
        patients=len({alert.patient_id for alert in raised}),
        now=now,
        time_zone=recipient.time_zone,
        link=f"{mail.public_url}{home}",
    )
    error = await send_text(mailer, mail, text, to=recipient.email, now=now)
    if error:
        await claims.failed(AlertEmail, rows, token, error, now=clock.now())
        done.failed += 1
        log.warning("alert e-mail to account %s not sent (%s)", recipient.id, error)
        return
    ids = [row.id for row in rows]
    await claims.finish(AlertEmail, ids, token, EmailStatus.SENT, now=clock.now())
    done.sent += 1
