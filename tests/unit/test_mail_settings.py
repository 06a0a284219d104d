"""WELLNESS_SMTP_URL, WELLNESS_MAIL_FROM and WELLNESS_PUBLIC_URL: read strictly, e-mail off
unless the SMTP URL is set, and a bad value stops start-up naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from wellness.lib.mail_config import SmtpServer
from wellness.settings import SettingsError, load_settings

MAIL = {
    "WELLNESS_SMTP_URL": "smtp://alerts%40clinic.org:p%40ss@mail.clinic.org:587?starttls=1",
    "WELLNESS_MAIL_FROM": "Clinic wellness <alerts@clinic.org>",
    "WELLNESS_PUBLIC_URL": "https://wellness.clinic.org/",
}


def test_email_is_off_when_no_smtp_url_is_set(tmp_path: Path) -> None:
    loaded = load_settings({"WELLNESS_DATA_DIR": str(tmp_path)})

    assert loaded.mail is None
    assert loaded.care.email_alerts is False
    assert loaded.public_url is None


def test_a_full_configuration_turns_alert_emails_on(tmp_path: Path) -> None:
    loaded = load_settings({"WELLNESS_DATA_DIR": str(tmp_path), **MAIL})

    assert loaded.mail is not None
    assert loaded.mail.server == SmtpServer(
        "mail.clinic.org", 587, starttls=True, username="alerts@clinic.org", password="p@ss"
    )
    assert loaded.mail.sender == "Clinic wellness <alerts@clinic.org>"
    assert loaded.mail.public_url == "https://wellness.clinic.org"
    assert loaded.public_url == "https://wellness.clinic.org"
    assert loaded.care.email_alerts is True
    assert "p@ss" not in repr(loaded)


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtps://mail.clinic.org", SmtpServer("mail.clinic.org", 465, implicit_tls=True)),
        (
            "smtps://u:pw@mail.clinic.org:2465",
            SmtpServer("mail.clinic.org", 2465, True, False, "u", "pw"),
        ),
        ("smtp://localhost", SmtpServer("localhost", 25)),
        ("smtp://relay.internal:2525?starttls=0", SmtpServer("relay.internal", 2525)),
        ("SMTP://relay.internal/", SmtpServer("relay.internal", 25)),
    ],
)
def test_smtp_urls_are_read_with_their_defaults(
    tmp_path: Path, url: str, server: SmtpServer
) -> None:
    loaded = load_settings({"WELLNESS_DATA_DIR": str(tmp_path), **MAIL, "WELLNESS_SMTP_URL": url})

    assert loaded.mail is not None
    assert loaded.mail.server == server


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WELLNESS_SMTP_URL", "mail.clinic.org:587", "expected an smtp:// or smtps:// URL"),
        ("WELLNESS_SMTP_URL", "http://mail.clinic.org", "expected an smtp:// or smtps:// URL"),
        ("WELLNESS_SMTP_URL", "smtp://", "names no host"),
        ("WELLNESS_SMTP_URL", "smtp://mail.clinic.org:smtp", "expected a URL such as"),
        ("WELLNESS_SMTP_URL", "smtp://mail.clinic.org:99999", "expected a URL such as"),
        ("WELLNESS_SMTP_URL", "smtp://mail.clinic.org/inbox", "expected no path"),
        ("WELLNESS_SMTP_URL", "smtp://mail.clinic.org?tls=1", "unknown option 'tls'"),
        ("WELLNESS_SMTP_URL", "smtp://mail.clinic.org?starttls=maybe", "expected 1 or 0"),
        ("WELLNESS_SMTP_URL", "smtps://mail.clinic.org?starttls=1", "encrypted already"),
        ("WELLNESS_SMTP_URL", "smtp://user@mail.clinic.org", "both a user name and a password"),
        ("WELLNESS_SMTP_URL", "smtp://u:secret@mail.clinic.org:25", "password unencrypted"),
        ("WELLNESS_MAIL_FROM", "alerts", "expected an e-mail address"),
        ("WELLNESS_MAIL_FROM", "alerts@localhost", "expected an e-mail address"),
        ("WELLNESS_MAIL_FROM", "a@clinic.org, b@clinic.org", "expected an e-mail address"),
        ("WELLNESS_MAIL_FROM", "a@clinic.org\nBcc: x@y.org", "expected one line"),
        ("WELLNESS_PUBLIC_URL", "wellness.clinic.org", "expected an http:// or https:// URL"),
        ("WELLNESS_PUBLIC_URL", "https://wellness.clinic.org/?a=1", "expected no user, query"),
        ("WELLNESS_PUBLIC_URL", "https://wellness.clinic.org:port", "expected a URL such as"),
    ],
)
def test_a_malformed_mail_setting_stops_start_up_naming_it(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"WELLNESS_DATA_DIR": str(tmp_path), **MAIL, name: value})

    assert str(raised.value).startswith(f"{name}:")
    assert message in str(raised.value)
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize("missing", ["WELLNESS_MAIL_FROM", "WELLNESS_PUBLIC_URL"])
def test_an_smtp_url_needs_a_sender_and_the_public_url(tmp_path: Path, missing: str) -> None:
    values = {key: value for key, value in MAIL.items() if key != missing}

    with pytest.raises(SettingsError, match=rf"^{missing}: is required when WELLNESS_SMTP_URL"):
        load_settings({"WELLNESS_DATA_DIR": str(tmp_path), **values})


def test_production_links_must_be_https(tmp_path: Path) -> None:
    production = {"WELLNESS_ENV": "production", "WELLNESS_SECRET_KEY": "k" * 40, **MAIL}

    with pytest.raises(SettingsError, match=r"^WELLNESS_PUBLIC_URL: must be https://"):
        load_settings({**production, "WELLNESS_PUBLIC_URL": "http://wellness.clinic.org"})
    assert load_settings(production).public_url == "https://wellness.clinic.org"
    development = load_settings(
        {"WELLNESS_DATA_DIR": str(tmp_path), "WELLNESS_PUBLIC_URL": "http://localhost:8000"}
    )
    assert development.public_url == "http://localhost:8000"


@pytest.mark.parametrize(
    "sender",
    [
        "alerts@clinic.org",
        "<alerts@clinic.org>",
        "Clinic <alerts@clinic.org>",
        '"Ward B, nights" <b@clinic.org>',
    ],
)
def test_a_sender_may_carry_a_name(tmp_path: Path, sender: str) -> None:
    loaded = load_settings(
        {"WELLNESS_DATA_DIR": str(tmp_path), **MAIL, "WELLNESS_MAIL_FROM": sender}
    )

    assert loaded.mail is not None
    assert loaded.mail.sender == sender
