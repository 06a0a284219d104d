"""`wellness mail test --to ADDRESS`: a test message through the configured server, or a clear
word on what failed."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import run
from tests.mail_servers import (
    PUBLIC_URL,
    SENDER,
    dropping_server,
    free_port,
    refusing_server,
    taking_server,
)


def with_smtp(environment: dict[str, str], port: int) -> dict[str, str]:
    return {
        **environment,
        "WELLNESS_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "WELLNESS_MAIL_FROM": SENDER,
        "WELLNESS_PUBLIC_URL": PUBLIC_URL,
    }


def test_it_sends_a_test_message_through_the_configured_server(
    environment: dict[str, str],
) -> None:
    with taking_server() as (port, received):
        result = run(with_smtp(environment, port), "mail", "test", "--to", "it@clinic.example.org")

        (message,) = received.wait_for(1)
    assert result.exit_code == 0, result.output
    assert f"Sent a test message to it@clinic.example.org through 127.0.0.1:{port} (plain)" in (
        result.output
    )
    assert message["To"] == "it@clinic.example.org"
    assert message["From"] == SENDER
    assert message["Subject"] == "Wellness: test message"


def test_it_says_when_email_is_off(environment: dict[str, str]) -> None:
    result = run(environment, "mail", "test", "--to", "it@clinic.example.org")

    assert result.exit_code == 1
    assert "WELLNESS_SMTP_URL is not set: e-mail alerts are off." in result.output


def test_it_names_a_malformed_setting(environment: dict[str, str]) -> None:
    broken = {**with_smtp(environment, 25), "WELLNESS_SMTP_URL": "mail.clinic.org:25"}

    result = run(broken, "mail", "test", "--to", "it@clinic.example.org")

    assert result.exit_code == 1
    assert "WELLNESS_SMTP_URL: expected an smtp:// or smtps:// URL" in result.output


def test_it_refuses_an_address_that_is_none(environment: dict[str, str]) -> None:
    result = run(with_smtp(environment, 25), "mail", "test", "--to", "it at clinic")

    assert result.exit_code == 2
    assert "expected an address such as someone@clinic.org" in result.output


@pytest.mark.parametrize(
    ("server", "words"),
    [
        ("nothing", "could not connect to 127.0.0.1"),
        ("dropping", "closed the connection (SMTPServerDisconnected"),
        ("refusing", "refused the recipient address (SMTPRecipientsRefused)"),
        ("plain", "does not offer STARTTLS, which ?starttls=1 asks for"),
    ],
)
def test_it_says_what_failed(environment: dict[str, str], server: str, words: str) -> None:
    def send(port: int, options: str = "") -> str:
        settings = with_smtp(environment, port)
        settings["WELLNESS_SMTP_URL"] += options
        result = run(settings, "mail", "test", "--to", "it@clinic.example.org")
        assert result.exit_code == 1
        return result.output

    if server == "dropping":
        with dropping_server() as port:
            output = send(port)
    elif server == "plain":
        with taking_server() as (port, _):
            output = send(port, "?starttls=1")
    elif server == "refusing":
        with refusing_server() as (port, _):
            output = send(port)
    else:
        output = send(free_port())

    assert output.startswith("Error: Not sent: ")
    assert words in output
