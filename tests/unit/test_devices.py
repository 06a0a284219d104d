from __future__ import annotations

from wellness.accounts import devices

SECRET = "a test secret that is long enough to sign with"


def test_a_device_token_names_its_account_and_no_other() -> None:
    cookie = devices.issue(SECRET, "Ann@Clinic.org ", None)
    assert devices.device_for(SECRET, "ann@clinic.org", cookie) is not None
    assert devices.device_for(SECRET, "bob@clinic.org", cookie) is None


def test_a_forged_or_foreign_token_names_nothing() -> None:
    cookie = devices.issue(SECRET, "ann@clinic.org", None)
    nonce, _ = cookie.split(".")
    forged = f"{nonce}.{'A' * 43}"
    foreign = devices.issue("another secret, from another installation", "ann@clinic.org", None)
    for value in (forged, foreign, "", "garbage", f"{cookie}x", "~".join([forged] * 9)):
        assert devices.device_for(SECRET, "ann@clinic.org", value) is None


def test_one_browser_keeps_tokens_for_its_last_few_accounts() -> None:
    cookie = None
    for number in range(devices.MAX_ACCOUNTS + 1):
        cookie = devices.issue(SECRET, f"user{number}@clinic.org", cookie)
    kept = [
        devices.device_for(SECRET, f"user{number}@clinic.org", cookie) is not None
        for number in range(devices.MAX_ACCOUNTS + 1)
    ]
    assert kept == [False] + [True] * devices.MAX_ACCOUNTS


def test_signing_in_again_replaces_the_accounts_token() -> None:
    first = devices.issue(SECRET, "ann@clinic.org", None)
    second = devices.issue(SECRET, "ann@clinic.org", first)
    assert "~" not in second
    assert devices.device_for(SECRET, "ann@clinic.org", second) not in {
        None,
        devices.device_for(SECRET, "ann@clinic.org", first),
    }
