"""`wellness mail ...`: check the e-mail settings by sending a test message."""

from __future__ import annotations

import asyncio

import click

from wellness.cli.common import command_clock, command_settings


@click.group()
def mail() -> None:
    """Alert e-mails."""


@mail.command("test")
@click.option("--to", "to", required=True, help="The address to send the test message to.")
def mail_test(to: str) -> None:
    """Send a test message with the configured WELLNESS_SMTP_URL and WELLNESS_MAIL_FROM."""
    from wellness.lib.mail_config import is_address
    from wellness.notifications.mailer import build_message, explain, mailer_for
    from wellness.notifications.rules import MessageText

    settings = command_settings()
    if settings.mail is None:
        raise click.ClickException("WELLNESS_SMTP_URL is not set: e-mail alerts are off.")
    if not is_address(to):
        raise click.BadParameter(f"expected an address such as someone@clinic.org, got {to!r}")
    config = settings.mail
    text = MessageText(
        "Wellness: test message",
        "This is a test of the clinic's alert e-mails. It worked: alert e-mails can reach "
        f"this address.\n\nSent by `wellness mail test` for {config.public_url}.\n",
    )
    message = build_message(text, sender=config.sender, to=to, now=command_clock().now())
    try:
        asyncio.run(mailer_for(config.server, config.public_url).send(message))
    except Exception as problem:  # whatever it was, the person needs to read it
        raise click.ClickException(f"Not sent: {explain(problem, config.server)}") from None
    click.echo(f"Sent a test message to {to} through {config.server.describe()}.")
