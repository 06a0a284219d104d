"""Claiming, finishing and retrying outbox rows (alert e-mails, reminder e-mails): one way for
every kind of e-mail, so several workers never send one twice.

A worker takes rows with one UPDATE that sets a random claim token and `claimed_until` only on
rows no one holds (PostgreSQL re-checks the condition on a row another transaction just
changed, so two claims never both succeed); everything after reads and finishes rows by that
token. A claim lapses after `rules.CLAIM`, so the rows of a worker that died mid-send are tried
again by another. Nothing here holds a transaction open while talking to the mail server.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from wellness.notifications import rules
from wellness.notifications.models import OutboxRow
from wellness.notifications.rules import EmailStatus


def unclaimed(now: datetime) -> Q:
    """Rows no worker holds at `now`."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def new_token() -> str:
    return secrets.token_hex(16)


async def claim(model: type[OutboxRow], condition: Q, *, now: datetime) -> str | None:
    """Take every pending row matching `condition` that no one holds; the claim's token, or None
    when there was none (another worker was first)."""
    token = new_token()
    taken = await model.filter(condition, unclaimed(now), status=EmailStatus.PENDING).update(
        claim=token, claimed_until=now + rules.CLAIM
    )
    return token if taken else None


async def finish(
    model: type[OutboxRow], ids: Sequence[int], token: str, status: EmailStatus, *, now: datetime
) -> None:
    """Rows this worker holds are done: sent, or cancelled."""
    await model.filter(id__in=ids, claim=token, status=EmailStatus.PENDING).update(
        status=status, finished_at=now, claimed_until=None
    )


async def failed(
    model: type[OutboxRow],
    rows: Sequence[OutboxRow],
    token: str,
    error: str,
    *,
    now: datetime,
    retry_until: datetime | None = None,
) -> None:
    """Each row's attempt counted; tried again after its back-off (`rules.retry_delay`), or
    failed for good when there is none left or it would come after `retry_until`."""
    async with in_transaction():
        for row in rows:
            attempts = row.attempts + 1
            delay = rules.retry_delay(attempts)
            changes: dict[str, object] = {
                "attempts": attempts,
                "last_error": error,
                "claimed_until": None,
            }
            if delay is None or (retry_until is not None and now + delay > retry_until):
                changes |= {"status": EmailStatus.FAILED, "finished_at": now}
            else:
                changes["next_attempt_at"] = now + delay
            await model.filter(id=row.id, claim=token, status=EmailStatus.PENDING).update(**changes)
