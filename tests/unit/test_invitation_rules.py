"""The pure rules of invitations: the link lasts 7 days (as 168 hours, whatever a local clock
does meanwhile), the invitation e-mail's own words, and the unusable password that nothing
verifies against."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wellness.accounts import passwords, reset_rules
from wellness.accounts.reset_rules import LinkPurpose
from wellness.notifications import reset_mail_rules

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
LINK = "https://wellness.clinic.example.org/password-reset/" + "a" * 43
PUBLIC_URL = "https://wellness.clinic.example.org"


def test_an_invitation_opens_for_7_days_including_the_last_instant() -> None:
    expires = reset_rules.expires_at(NOW, LinkPurpose.INVITE)

    assert expires == NOW + timedelta(days=7)
    assert reset_rules.is_open(expires=expires, used_at=None, now=expires)
    assert not reset_rules.is_open(expires=expires, used_at=None, now=expires + timedelta(0, 0, 1))
    assert not reset_rules.is_open(expires=expires, used_at=NOW, now=NOW)


def test_a_reset_link_still_lasts_30_minutes() -> None:
    assert reset_rules.expires_at(NOW) == NOW + timedelta(minutes=30)
    assert reset_rules.expires_at(NOW, LinkPurpose.RESET) == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("zone", "issued_local_at", "local_hour_at_expiry"),
    [
        # Berlin leaves summer time on 25 October 2026: 168 hours later reads an hour earlier.
        ("Europe/Berlin", (2026, 10, 22, 9, 0), 8),
        # New York enters summer time on 8 March 2026: an hour later.
        ("America/New_York", (2026, 3, 5, 9, 0), 10),
        # No change in Tokyo (east) or Honolulu (west): the same hour, a week on.
        ("Asia/Tokyo", (2026, 11, 24, 23, 30), 23),
        ("Pacific/Honolulu", (2026, 11, 24, 0, 15), 0),
    ],
)
def test_the_seven_days_are_168_hours_whatever_the_local_clock_does(
    zone: str, issued_local_at: tuple[int, int, int, int, int], local_hour_at_expiry: int
) -> None:
    issued_local = datetime(*issued_local_at, tzinfo=ZoneInfo(zone))
    issued = issued_local.astimezone(UTC)

    expires = reset_rules.expires_at(issued, LinkPurpose.INVITE)

    assert expires - issued == timedelta(hours=168)
    local = expires.astimezone(ZoneInfo(zone))
    assert (local.date() - issued_local.date(), local.hour) == (
        timedelta(days=7),
        local_hour_at_expiry,
    )


def test_the_invitation_e_mail_says_where_how_long_and_names_nothing_of_the_clinic() -> None:
    message = reset_mail_rules.compose_for(LinkPurpose.INVITE, LINK, PUBLIC_URL)

    assert message.subject == "Choose your password"
    assert f"An account was made for you at {PUBLIC_URL}" in message.body
    assert f"Choose your password: {LINK}" in message.body
    assert "for 7 days" in message.body
    for word in ("anxiety", "rehab", "therap", "patient", "treatment", "diagnos", "clinic staff"):
        assert word not in message.body.lower(), word
    assert reset_mail_rules.compose_for(LinkPurpose.RESET, LINK, PUBLIC_URL) == (
        reset_mail_rules.compose(LINK)
    )


@pytest.mark.parametrize("password", ["", "!", "a fresh and long passphrase"])
def test_nothing_verifies_against_the_unusable_password(password: str) -> None:
    assert not passwords.is_usable(passwords.UNUSABLE_PASSWORD)
    assert passwords.verify_password(passwords.UNUSABLE_PASSWORD, password) is False
    assert passwords.needs_rehash(passwords.UNUSABLE_PASSWORD) is False


def test_a_real_hash_is_usable_and_verifies() -> None:
    hashed = passwords.hash_password("a fresh and long passphrase")

    assert passwords.is_usable(hashed)
    assert passwords.verify_password(hashed, "a fresh and long passphrase")
