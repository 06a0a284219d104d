"""Real SMTP servers on local ports for the alert e-mail tests: one that takes every message
(aiosmtpd), one that refuses every recipient (aiosmtpd answering 550), one that hangs up at
once, and one that never answers. Each runs in a thread of its own, so a test's event loop,
or an app's under the test client, talks to it over a real socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from wellness.lib.mail_config import SmtpServer
from wellness.settings import MailSettings

HOST = "127.0.0.1"
SENDER = "Clinic wellness <alerts@clinic.example.org>"
PUBLIC_URL = "https://wellness.clinic.example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def mail_settings(port: int) -> MailSettings:
    return MailSettings(server=SmtpServer(HOST, port), sender=SENDER, public_url=PUBLIC_URL)


class Received:
    """The messages a server took, parsed, with their envelopes' recipients."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.connections = 0  # RCPT commands seen, for the refusing server

    def add(self, content: bytes, recipients: list[str]) -> None:
        parsed = message_from_bytes(content, policy=policy.default)
        with self._lock:
            self.messages.append(parsed)
            self.envelopes.append(list(recipients))

    def wait_for(self, count: int, *, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.messages)} messages arrived, {count} expected")

    def to(self) -> list[str]:
        """Each message's To address, in arrival order."""
        return [str(message["To"]) for message in self.messages]


class _Taking:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.add(envelope.content, envelope.rcpt_tos)
        return "250 OK"


class _Refusing:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.received.connections += 1
        return "550 5.1.1 No such mailbox"


@contextmanager
def _smtp_server(
    handler: _Taking | _Refusing, received: Received
) -> Iterator[tuple[int, Received]]:
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    try:
        yield controller.port, received
    finally:
        controller.stop()


def taking_server() -> AbstractContextManager[tuple[int, Received]]:
    """An SMTP server that takes every message: its port, and what it received."""
    received = Received()
    return _smtp_server(_Taking(received), received)


def refusing_server() -> AbstractContextManager[tuple[int, Received]]:
    """An SMTP server that refuses every recipient (550): aiosmtplib raises
    SMTPRecipientsRefused."""
    received = Received()
    return _smtp_server(_Refusing(received), received)


@contextmanager
def _raw_server(serve: Any) -> Iterator[int]:
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(16)
    listener.settimeout(0.1)
    stopping = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            serve(connection, held)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stopping.set()
        thread.join(timeout=2)
        listener.close()
        for connection in held:
            connection.close()


@contextmanager
def dropping_server() -> Iterator[int]:
    """Greets, then hangs up before answering EHLO (a server dropping connections, or a
    firewall cutting them): SMTPServerDisconnected."""

    def hang_up(connection: socket.socket, _held: list[socket.socket]) -> None:
        connection.sendall(b"220 mail.example.org ESMTP\r\n")
        connection.close()

    with _raw_server(hang_up) as port:
        yield port


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word (a mail server that hangs)."""

    def hold(connection: socket.socket, held: list[socket.socket]) -> None:
        held.append(connection)

    with _raw_server(hold) as port:
        yield port
