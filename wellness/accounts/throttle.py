"""Failed sign-in throttling per account and per client (ASVS 2.2.1).

Counts live in a key-value store with expiry (Litestar's stores fit the protocol), so every
worker sees the same counts when the store is shared (Redis, or files on one host).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol


class ExpiringStore(Protocol):
    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None: ...

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None: ...

    async def delete(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class FailureWindow:
    """Failures counted in a fixed window that opens at the first failure."""

    count: int
    opened_at: float

    def encode(self) -> str:
        return f"{self.count}:{self.opened_at}"

    @classmethod
    def decode(cls, raw: bytes | None) -> FailureWindow | None:
        if raw is None:
            return None
        try:
            count, opened_at = raw.decode().split(":", 1)
            return cls(int(count), float(opened_at))
        except ValueError:
            return None

    def is_open(self, *, now: float, window_seconds: int) -> bool:
        return now - self.opened_at < window_seconds

    def seconds_left(self, *, now: float, window_seconds: int) -> int:
        return max(1, math.ceil(self.opened_at + window_seconds - now))


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    store: ExpiringStore
    per_account: int
    per_client: int
    window_seconds: int

    async def retry_after(self, *, email: str, client: str, now: float) -> int | None:
        """Seconds until sign-in may be tried again for this account or client, or None."""
        waits = []
        for key, limit in self._keys(email, client):
            window = await self._window(key, now)
            if window is not None and window.count >= limit:
                waits.append(window.seconds_left(now=now, window_seconds=self.window_seconds))
        return max(waits) if waits else None

    async def record_failure(self, *, email: str, client: str, now: float) -> None:
        for key, _limit in self._keys(email, client):
            window = await self._window(key, now)
            updated = (
                FailureWindow(1, now)
                if window is None
                else FailureWindow(window.count + 1, window.opened_at)
            )
            expires = updated.seconds_left(now=now, window_seconds=self.window_seconds)
            await self.store.set(key, updated.encode(), expires_in=expires)

    async def clear_account(self, email: str) -> None:
        await self.store.delete(_account_key(email))

    async def _window(self, key: str, now: float) -> FailureWindow | None:
        window = FailureWindow.decode(await self.store.get(key))
        if window is None or not window.is_open(now=now, window_seconds=self.window_seconds):
            return None
        return window

    def _keys(self, email: str, client: str) -> tuple[tuple[str, int], tuple[str, int]]:
        return (
            (_account_key(email), self.per_account),
            (f"login-fail:client:{client}", self.per_client),
        )


def _account_key(email: str) -> str:
    # Hashed so the store never holds e-mail addresses, and unknown accounts are counted alike.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:account:{digest}"
