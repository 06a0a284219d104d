"""Helpers for URLs that come from users."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_redirect_target(candidate: str | None) -> str | None:
    """The path to go back to after sign-in, only if it stays on this site."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//"):
        return None
    if "\\" in candidate or any(ord(char) < 32 for char in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return None
    return candidate
