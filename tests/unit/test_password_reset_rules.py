"""The pure rules of password reset links: the token's shape and digest, the 30 minutes, the
sealing of a link waiting in the outbox, the e-mail's words, the throttle of requests, and the
access log's redaction of links."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import UTC, datetime, timedelta

import pytest
from litestar.stores.memory import MemoryStore

from wellness.accounts import reset_rules
from wellness.accounts.throttle import ResetRequestThrottle
from wellness.notifications import reset_mail_rules
from wellness.web.password_reset import RedactedResetLinks, redacted_path

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
KEY = "a secret key of at least thirty-two characters, for tests"


def test_tokens_are_43_url_safe_characters_and_never_repeat() -> None:
    tokens = {reset_rules.new_token() for _ in range(200)}

    assert len(tokens) == 200
    assert all(reset_rules.looks_like_token(token) for token in tokens)


@pytest.mark.parametrize(
    "text", ["", "a" * 42, "a" * 44, "a" * 42 + "=", "a" * 42 + "٩", "a b" * 14 + "c"]
)
def test_anything_else_is_not_a_token(text: str) -> None:
    assert not reset_rules.looks_like_token(text)


def test_the_digest_is_the_tokens_sha256() -> None:
    token = reset_rules.new_token()

    assert reset_rules.token_digest(token) == hashlib.sha256(token.encode()).hexdigest()


def test_a_link_is_open_for_30_minutes_including_the_last_instant_and_once() -> None:
    expires = reset_rules.expires_at(NOW)

    assert expires == NOW + timedelta(minutes=30)
    assert reset_rules.is_open(expires=expires, used_at=None, now=expires)
    assert not reset_rules.is_open(
        expires=expires, used_at=None, now=expires + timedelta(microseconds=1)
    )
    assert not reset_rules.is_open(expires=expires, used_at=NOW, now=NOW)


def test_a_sealed_token_reads_back_only_with_its_key() -> None:
    token = reset_rules.new_token()

    sealed = reset_mail_rules.seal(token, KEY)

    assert token not in sealed
    assert reset_mail_rules.seal(token, KEY) != sealed  # a fresh nonce each time
    assert reset_mail_rules.unseal(sealed, KEY) == token
    with pytest.raises(ValueError, match="not a token sealed with this key"):
        reset_mail_rules.unseal(sealed, "another key of at least thirty-two characters")
    for garbled in ("", ".", "abc", "x.y", sealed[:-3]):
        with pytest.raises(reset_mail_rules.SealBroken):
            reset_mail_rules.unseal(garbled, KEY)


def test_the_e_mail_says_30_minutes_that_it_may_be_ignored_and_names_nothing_of_the_clinic() -> (
    None
):
    link = reset_mail_rules.reset_link("https://wellness.clinic.org", "T" * 43)

    text = reset_mail_rules.compose(link)

    assert link == "https://wellness.clinic.org/password-reset/" + "T" * 43
    assert link in text.body
    assert "30 minutes" in text.body
    assert "ignore this e-mail" in text.body
    for word in ("anxiety", "rehab", "therap", "patient", "benzodiazepine", "withdrawal"):
        assert word not in f"{text.subject} {text.body}".lower()


def admit(limiter: ResetRequestThrottle, email: str, client: str, now: float) -> int | None:
    return asyncio.run(limiter.admit(email=email, client=client, now=now))


def test_an_address_may_ask_three_times_an_hour_known_or_not() -> None:
    limiter = ResetRequestThrottle(store=MemoryStore())

    answers = [admit(limiter, "Who@X.org", f"10.0.0.{n}", 100.0 + n) for n in range(4)]

    assert answers[:3] == [None, None, None]
    assert answers[3] == 3600 - 3
    assert admit(limiter, "who@x.org ", "10.0.0.9", 3700.0) is None  # the window is over


def test_a_client_may_ask_twenty_times_an_hour_over_all_addresses() -> None:
    limiter = ResetRequestThrottle(store=MemoryStore())

    answers = [admit(limiter, f"p{n}@x.org", "10.0.0.1", float(n)) for n in range(21)]

    assert answers[:20] == [None] * 20
    assert answers[20] == 3600 - 20  # the window opened at the first request
    assert admit(limiter, "p0@x.org", "10.0.0.2", 30.0) is None


def test_the_access_log_shows_reset_links_without_their_token() -> None:
    token = reset_rules.new_token()
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", f"/password-reset/{token}?x=1", "1.1", 200),
        None,
    )

    assert RedactedResetLinks().filter(record)

    assert token not in record.getMessage()
    assert "/password-reset/[token]?x=1" in record.getMessage()
    assert redacted_path("/password-reset/confirm") == "/password-reset/confirm"
    assert redacted_path("/password-reset") == "/password-reset"
    assert redacted_path("/login") == "/login"
