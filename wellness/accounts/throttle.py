"""Failed sign-in throttling that locks the attacker, not the person (ASVS 2.2.1, OWASP's
"device cookies").

Allowances, each counted in a fixed window that opens at its first failure:
- untrusted clients of one account (no valid device cookie for it): `per_account` together;
- each device cookie of an account (a browser that signed in to it before): `per_device`;
- each client address, untrusted attempts only, whatever the account: `per_client`.
A device whose own allowance is spent is treated as untrusted. Over all of them, one account
takes at most `CAP` failures in any `CAP_SECONDS` (a sliding log, so this holds strictly); the
settings keep the untrusted allowance below half of it, so strangers alone never reach it.

Every attempt is reserved before the password is checked and given back if it was right.
Counts live in a key-value store with expiry (Litestar's stores fit the protocol), so every
worker sees the same counts when the store is shared (Redis, or files on one host), and each
read-then-write of them holds `lock`, shared as the store is (`system/locks.py`: one process, a
lock file on one host, Redis across hosts), so parallel attempts on any number of workers
cannot slip past a limit. Without the shared lock, four workers sharing Redis admitted 35
parallel attempts at an account allowed 10. An attempt that cannot have the lock within a few
seconds is refused for a second, never admitted uncounted.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from wellness.system.locks import LockUnavailable, ProcessLock, SharedLock

logger = logging.getLogger("wellness.accounts")

CAP = 100
CAP_SECONDS = 3600
# Failures of an account since its last sign-in are kept this long for the person to be told.
NOTICE_SECONDS = 365 * 24 * 3600


class ExpiringStore(Protocol):
    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None: ...

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None: ...

    async def delete(self, key: str) -> None: ...


def _count_and_time(raw: bytes | None) -> tuple[int, float] | None:
    """A stored "count:time" (both records below keep that shape); None if absent or garbled."""
    if raw is None:
        return None
    try:
        count, moment = raw.decode().split(":", 1)
        return int(count), float(moment)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class FailureWindow:
    """Failures counted in a fixed window that opens at the first failure."""

    count: int
    opened_at: float

    def encode(self) -> str:
        return f"{self.count}:{self.opened_at}"

    @classmethod
    def decode(cls, raw: bytes | None) -> FailureWindow | None:
        decoded = _count_and_time(raw)
        return cls(*decoded) if decoded is not None else None

    def is_open(self, *, now: float, window_seconds: int) -> bool:
        return now - self.opened_at < window_seconds

    def seconds_left(self, *, now: float, window_seconds: int) -> int:
        return max(1, math.ceil(self.opened_at + window_seconds - now))


@dataclass(frozen=True, slots=True)
class FailureNotice:
    """Failed sign-ins of an account since its last successful one."""

    count: int
    latest: float

    def encode(self) -> str:
        return f"{self.count}:{self.latest}"

    @classmethod
    def decode(cls, raw: bytes | None) -> FailureNotice | None:
        decoded = _count_and_time(raw)
        return cls(*decoded) if decoded is not None else None


@dataclass(frozen=True, slots=True)
class Admission:
    """The throttle's answer to one sign-in attempt.

    `retry_after` is set when the attempt is refused. An admitted attempt holds a reservation on
    `keys` (its failure is already counted); `exhausts` names the allowances this attempt used up,
    which become locks if it fails.
    """

    retry_after: int | None = None
    trusted: bool = False
    keys: tuple[str, ...] = ()
    exhausts: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.retry_after is None


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    store: ExpiringStore
    per_account: int
    per_device: int
    per_client: int
    window_seconds: int
    lock: SharedLock = field(default_factory=ProcessLock, repr=False, compare=False)

    async def admit(self, *, email: str, client: str, device: str | None, now: float) -> Admission:
        """Reserve one attempt at `email` from `client`; `device` is the nonce of a device cookie
        already checked to be valid for this account, or None."""
        try:
            async with self.lock():
                return await self._admit(email=email, client=client, device=device, now=now)
        except LockUnavailable as error:
            logger.warning("sign-in refused for a second, the throttle's lock is busy: %s", error)
            return Admission(retry_after=1)

    async def _admit(self, *, email: str, client: str, device: str | None, now: float) -> Admission:
        log = await self._log(_total_key(email), now)
        if len(log) >= CAP:
            return Admission(retry_after=max(1, math.ceil(log[-CAP] + CAP_SECONDS - now)))
        exhausts = ("every client",) if len(log) + 1 == CAP else ()
        if device is not None:
            key = _device_key(device)
            window = await self._window(key, now)
            if window is None or window.count < self.per_device:
                await self._count(key, window, now)
                await self._append(_total_key(email), log, now)
                used = _used_up(window, self.per_device, "device")
                return Admission(trusted=True, keys=(key,), exhausts=used + exhausts)
        limits = (
            (_account_key(email), self.per_account),
            (_client_key(client), self.per_client),
        )
        windows = [(key, limit, await self._window(key, now)) for key, limit in limits]
        wait = _longest_wait(windows, now=now, window_seconds=self.window_seconds)
        if wait is not None:
            return Admission(retry_after=wait)
        for key, _limit, window in windows:
            await self._count(key, window, now)
        await self._append(_total_key(email), log, now)
        (account, _, account_window), (_, _, client_window) = windows
        used = _used_up(account_window, self.per_account, "untrusted clients")
        used += _used_up(client_window, self.per_client, "client address")
        return Admission(keys=(account, _client_key(client)), exhausts=used + exhausts)

    async def succeeded(
        self, admission: Admission, *, email: str, now: float
    ) -> FailureNotice | None:
        """Give back a right password's reservation (a device's own earlier failures are
        forgiven with it) and return, forgetting them, the account's failures since its last
        sign-in."""
        async with self._lock_if_possible("giving back a right password's reservation"):
            for key in admission.keys:
                window = await self._window(key, now)
                if admission.trusted or window is None or window.count <= 1:
                    await self.store.delete(key)
                else:
                    await self._save(key, FailureWindow(window.count - 1, window.opened_at), now)
            log = await self._log(_total_key(email), now)
            if now in log:
                log.remove(now)
                await self._save_log(_total_key(email), log, now)
            notice = FailureNotice.decode(await self.store.get(_notice_key(email)))
            await self.store.delete(_notice_key(email))
            return notice

    async def failed(self, *, email: str, account_exists: bool, now: float) -> None:
        """Note a wrong password for the person's next sign-in (counting is done by `admit`).
        The same store work for unknown accounts, only kept briefly."""
        key = _notice_key(email)
        async with self._lock_if_possible("noting a failure for the next sign-in"):
            earlier = FailureNotice.decode(await self.store.get(key))
            count = 1 if earlier is None else earlier.count + 1
            expires = NOTICE_SECONDS if account_exists else self.window_seconds
            await self.store.set(key, FailureNotice(count, now).encode(), expires_in=expires)

    async def clear_account(self, email: str) -> None:
        """Lift every lock on an account (an administrator set a new password)."""
        async with self._lock_if_possible("lifting an account's locks"):
            await self.store.delete(_account_key(email))
            await self.store.delete(_total_key(email))

    @asynccontextmanager
    async def _lock_if_possible(self, doing: str) -> AsyncIterator[None]:
        """The lock, for work that is safe if less exact without it (a count given back or
        noted may be lost to a parallel attempt): done anyway, with a warning, when the lock
        cannot be had, rather than failing a sign-in whose password was already checked."""
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(self.lock())
            except LockUnavailable as error:
                logger.warning("%s without the throttle's lock: %s", doing, error)
            yield

    async def _window(self, key: str, now: float) -> FailureWindow | None:
        return await _open_window(self.store, key, now, self.window_seconds)

    async def _count(self, key: str, window: FailureWindow | None, now: float) -> None:
        await _count_in(self.store, key, window, now, self.window_seconds)

    async def _save(self, key: str, window: FailureWindow, now: float) -> None:
        await _keep(self.store, key, window, now, self.window_seconds)

    async def _log(self, key: str, now: float) -> list[float]:
        """The failure times of the last CAP_SECONDS, oldest first."""
        raw = await self.store.get(key)
        try:
            times = [float(part) for part in raw.decode().split()] if raw else []
        except ValueError:
            times = []
        return [moment for moment in times if now - moment < CAP_SECONDS]

    async def _append(self, key: str, log: list[float], now: float) -> None:
        await self._save_log(key, [*log, now][-CAP:], now)

    async def _save_log(self, key: str, log: list[float], now: float) -> None:
        if not log:
            await self.store.delete(key)
            return
        expires = max(1, math.ceil(log[-1] + CAP_SECONDS - now))
        await self.store.set(key, " ".join(repr(moment) for moment in log), expires_in=expires)


@dataclass(frozen=True, slots=True)
class ResetRequestThrottle:
    """Password reset requests ("forgot your password?"), counted like sign-in failures: in
    fixed windows, in the same store under the same lock, so every worker shares the counts.
    Each address (known to an account or not: counted alike, so a refusal says nothing about
    it) may ask `per_address` times a window, so nobody's inbox is flooded; each client address
    `per_client` times, over all addresses."""

    store: ExpiringStore
    per_address: int = 3
    per_client: int = 20
    window_seconds: int = 3600
    lock: SharedLock = field(default_factory=ProcessLock, repr=False, compare=False)

    async def admit(self, *, email: str, client: str, now: float) -> int | None:
        """Count one request; None when it may go ahead, else the seconds to wait."""
        try:
            async with self.lock():
                return await self._admit(email=email, client=client, now=now)
        except LockUnavailable as error:
            logger.warning("reset request refused for a second, the lock is busy: %s", error)
            return 1

    async def _admit(self, *, email: str, client: str, now: float) -> int | None:
        limits = (
            (f"reset-request:address:{_email_digest(email)}", self.per_address),
            (f"reset-request:client:{client}", self.per_client),
        )
        windows = [
            (key, limit, await _open_window(self.store, key, now, self.window_seconds))
            for key, limit in limits
        ]
        wait = _longest_wait(windows, now=now, window_seconds=self.window_seconds)
        if wait is not None:
            return wait
        for key, _limit, window in windows:
            await _count_in(self.store, key, window, now, self.window_seconds)
        return None


async def _open_window(
    store: ExpiringStore, key: str, now: float, window_seconds: int
) -> FailureWindow | None:
    """The window counting under `key`, if one is open at `now`."""
    window = FailureWindow.decode(await store.get(key))
    if window is None or not window.is_open(now=now, window_seconds=window_seconds):
        return None
    return window


async def _count_in(
    store: ExpiringStore, key: str, window: FailureWindow | None, now: float, window_seconds: int
) -> None:
    """One more in `window` (opened now if None), kept until the window closes."""
    counted = (
        FailureWindow(1, now)
        if window is None
        else FailureWindow(window.count + 1, window.opened_at)
    )
    await _keep(store, key, counted, now, window_seconds)


async def _keep(
    store: ExpiringStore, key: str, window: FailureWindow, now: float, window_seconds: int
) -> None:
    """Store `window` under `key` until it closes."""
    expires = window.seconds_left(now=now, window_seconds=window_seconds)
    await store.set(key, window.encode(), expires_in=expires)


def _longest_wait(
    windows: list[tuple[str, int, FailureWindow | None]], *, now: float, window_seconds: int
) -> int | None:
    """The seconds until every full window among (key, limit, window) has closed; None when
    none is full."""
    waits = [
        window.seconds_left(now=now, window_seconds=window_seconds)
        for _key, limit, window in windows
        if window is not None and window.count >= limit
    ]
    return max(waits) if waits else None


def _used_up(window: FailureWindow | None, limit: int, name: str) -> tuple[str, ...]:
    count = 0 if window is None else window.count
    return (name,) if count + 1 == limit else ()


def _digest(text: str) -> str:
    # Hashed so the store never holds e-mail addresses or cookie values.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _email_digest(email: str) -> str:
    return _digest(email.strip().lower())


def _account_key(email: str) -> str:
    # Unknown accounts are counted exactly like real ones.
    return f"login-fail:account:{_email_digest(email)}"


def _total_key(email: str) -> str:
    return f"login-fail:total:{_email_digest(email)}"


def _notice_key(email: str) -> str:
    return f"login-fail:notice:{_email_digest(email)}"


def _device_key(device: str) -> str:
    return f"login-fail:device:{_digest(device)}"


def _client_key(client: str) -> str:
    return f"login-fail:client:{client}"
