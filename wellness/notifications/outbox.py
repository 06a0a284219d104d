"""Writing alert e-mails to the outbox, and who they go to.

Called inside the alert's own transaction (`care.services.raise_alerts`), so an alert and its
outbox rows are committed together or not at all, and the request that raised it never waits
on a mail server: delivery happens later, in the background (`delivery`, `loop`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Subquery

from wellness.accounts import permissions
from wellness.accounts.models import PasswordReset, User
from wellness.accounts.roles import Role
from wellness.care.models import Alert, CareTeamMember
from wellness.notifications import loop, rules
from wellness.notifications.models import AlertEmail, PasswordResetEmail, ReminderEmail
from wellness.notifications.rules import Audience, EmailStatus


@dataclass(frozen=True, slots=True)
class Recipients:
    audience: Audience
    user_ids: tuple[int, ...]


def _roles(allowed: Callable[[Role], bool]) -> list[Role]:
    return [role for role in Role if allowed(role)]


async def recipients_for(patient_id: int) -> Recipients:
    """Who is e-mailed about this patient's alerts.

    The active therapists on the patient's care team who keep alert e-mails on. When no active
    therapist sees the patient's alerts at all (`care.services.sees_alerts` is False), every
    active administrator instead, so that the alert reaches a person. Administrators cannot turn
    these off: they are the clinic's last resort until the patient has a therapist.
    """
    team = CareTeamMember.filter(patient_id=patient_id, ended_at__isnull=True)
    therapists = await User.filter(
        id__in=Subquery(team.values("therapist_id")),
        role__in=_roles(permissions.can_see_caseload),
        is_active=True,
    ).values_list("id", "alert_emails")
    if therapists:
        wanted = tuple(sorted(int(user_id) for user_id, on in therapists if on))
        return Recipients(Audience.CARE_TEAM, wanted)
    # Flat, the rows are plain ids, though Tortoise types them as tuples.
    admins: list[int] = await User.filter(  # type: ignore[assignment]
        role__in=_roles(permissions.can_manage_accounts), is_active=True
    ).values_list("id", flat=True)
    return Recipients(Audience.ADMINS, tuple(sorted(admins)))


async def enqueue(patient_id: int, alerts: Sequence[Alert], *, now: datetime) -> int:
    """An outbox row for each alert and recipient; how many. Call inside the alerts'
    transaction. Delivery loops in this process are woken (they look again shortly, by which
    time the transaction has committed; the others find the rows on their next round)."""
    if not alerts:
        return 0
    recipients = await recipients_for(patient_id)
    rows = [
        AlertEmail(
            alert_id=alert.id,
            recipient_id=recipient_id,
            audience=recipients.audience,
            status=EmailStatus.PENDING,
            created_at=now,
            next_attempt_at=now,
        )
        for alert in alerts
        for recipient_id in recipients.user_ids
    ]
    if rows:
        await AlertEmail.bulk_create(rows)
        loop.wake_all()
    return len(rows)


@dataclass(frozen=True, slots=True)
class OutboxState:
    """What the admin overview says about alert e-mails."""

    waiting: int  # pending, to be sent or tried again
    failed: int  # given up on within `FAILURES_SHOWN`
    last_error: str  # the class of the latest failure among those, "" without one


FAILURES_SHOWN = timedelta(days=7)


async def outbox_state(*, now: datetime) -> OutboxState:
    waiting = await AlertEmail.filter(status=EmailStatus.PENDING).count()
    recent = await recent_figures(AlertEmail, now=now)
    return OutboxState(waiting=waiting, failed=recent.failed, last_error=recent.last_error)


@dataclass(frozen=True, slots=True)
class RecentFigures:
    """One kind of e-mail finished within `FAILURES_SHOWN`, for the admin overview."""

    sent: int
    failed: int  # given up on
    last_error: str  # the class of the latest failure among those, "" without one


async def recent_figures(
    table: type[AlertEmail | ReminderEmail | PasswordResetEmail], *, now: datetime
) -> RecentFigures:
    recent = table.filter(finished_at__gte=now - FAILURES_SHOWN)
    failed = recent.filter(status=EmailStatus.FAILED)
    latest = await failed.order_by("-finished_at", "-id").first()
    return RecentFigures(
        sent=await recent.filter(status=EmailStatus.SENT).count(),
        failed=await failed.count(),
        last_error=latest.last_error if latest else "",
    )


async def password_link_figures(*, now: datetime) -> RecentFigures:
    """The e-mails carrying password links (forgot your password) in the last 7 days: a mail
    server refusing them leaves people unable to get back into their accounts."""
    return await recent_figures(PasswordResetEmail, now=now)


async def forget_finished(*, now: datetime) -> int:
    """Drop alert, reminder and password reset e-mails finished (sent, failed, cancelled) more
    than `rules.KEEP_FINISHED` ago; how many. Rows still to be sent stay, claimed or not, however
    old (`wellness db prune`). Password reset links expired as long ago go too (not counted:
    they are no e-mails; a used one is kept until then as the record that it was used)."""
    removed = 0
    for table in (AlertEmail, ReminderEmail, PasswordResetEmail):
        removed += await table.filter(
            status__in=sorted(rules.FINISHED), finished_at__lt=now - rules.KEEP_FINISHED
        ).delete()
    await PasswordReset.filter(expires_at__lt=now - rules.KEEP_FINISHED).delete()
    return removed
