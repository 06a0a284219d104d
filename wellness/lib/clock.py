"""The one place that reads the wall clock; everything below it takes `now` as an argument."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def epoch_seconds() -> float:
    return time.time()
