"""Sending one message through the configured SMTP server (aiosmtplib), and saying why it failed."""

from __future__ import annotations

import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Protocol
from urllib.parse import urlsplit

import aiosmtplib

from wellness.lib.mail_config import SmtpServer
from wellness.notifications.rules import SMTP_TIMEOUT_SECONDS, MessageText, error_name
from wellness.settings import MailSettings


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand `message` to a mail server; raise whatever stopped it."""
        ...


class SmtpMailer:
    """Each message on a connection of its own: alert e-mails are few, and a connection held
    open between them would only go stale."""

    def __init__(
        self, server: SmtpServer, *, local_hostname: str, timeout: float = SMTP_TIMEOUT_SECONDS
    ) -> None:
        self.server = server
        self.local_hostname = local_hostname
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        server = self.server
        await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username or None,
            password=server.password or None,
            use_tls=server.implicit_tls,
            # True: STARTTLS or nothing; False: never (aiosmtplib's None would try it when
            # offered and silently go on in plain text when not).
            start_tls=server.starttls,
            validate_certs=True,
            timeout=self.timeout,
            # The app's own name; else aiosmtplib asks the resolver for this host's, which can
            # hang where DNS is slow.
            local_hostname=self.local_hostname,
        )


def mailer_for(server: SmtpServer, public_url: str) -> SmtpMailer:
    return SmtpMailer(server, local_hostname=urlsplit(public_url).hostname or "localhost")


def build_message(text: MessageText, *, sender: str, to: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = text.subject
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=domain or None)
    # RFC 3834: sent by a program; out-of-office replies and the like should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.body)
    return message


async def send_text(
    mailer: Mailer, mail: MailSettings, text: MessageText, *, to: str, now: datetime
) -> str:
    """Send `text` to `to` from the clinic's sender; "" when the server took it, else the class
    of what stopped it (`rules.error_name`: never its message, which may quote an address)."""
    try:
        await mailer.send(build_message(text, sender=mail.sender, to=to, now=now))
    except Exception as problem:  # any failure is retried, then reported by its class
        return error_name(problem)
    return ""


def explain(problem: BaseException, server: SmtpServer) -> str:
    """Why sending failed, for a person setting up e-mail (the `wellness mail test` command)."""
    where = server.describe()
    name = type(problem).__name__
    if isinstance(problem, aiosmtplib.SMTPAuthenticationError):
        return f"{where} refused the user name and password ({name}: {problem})"
    if isinstance(problem, aiosmtplib.SMTPNotSupported):
        return f"{where} does not offer what the URL asks for ({name}: {problem})"
    if isinstance(problem, aiosmtplib.SMTPException) and "STARTTLS" in str(problem):
        return f"{where} does not offer STARTTLS, which ?starttls=1 asks for ({name})"
    if isinstance(problem, aiosmtplib.SMTPRecipientsRefused):
        return f"{where} refused the recipient address ({name})"
    if isinstance(problem, aiosmtplib.SMTPSenderRefused):
        return f"{where} refused the sender, WELLNESS_MAIL_FROM ({name}: {problem})"
    if isinstance(problem, aiosmtplib.SMTPTimeoutError):
        return f"{where} did not answer in time ({name})"
    if isinstance(problem, aiosmtplib.SMTPServerDisconnected):
        return f"{where} closed the connection ({name}: {problem})"
    if isinstance(problem, ssl.SSLError):
        return f"the TLS handshake with {where} failed, e.g. an untrusted certificate ({name})"
    if isinstance(problem, aiosmtplib.SMTPConnectError | OSError):
        return f"could not connect to {where} ({name}: {problem})"
    return f"{where}: {name}: {problem}"
