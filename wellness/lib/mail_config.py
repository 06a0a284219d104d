"""Reading the e-mail settings: an SMTP server's URL, a sender address, the app's public URL.

Each reader answers the parsed value or raises `ValueError` with a message for people (the
settings module prefixes the variable's name). Stdlib only.
"""

from __future__ import annotations

import dataclasses
import re
from email.utils import formataddr, parseaddr
from urllib.parse import parse_qsl, unquote, urlsplit

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# An address's local part and domain as mail servers take them: no spaces, quotes or angle
# brackets, a dot in the domain (no bare host names, which no outside server delivers to).
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclasses.dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where alert e-mails go out: `smtps` is TLS from the first byte; `smtp` is plain unless
    `starttls`, which then must succeed. Credentials only ever travel encrypted."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str = ""
    password: str = dataclasses.field(default="", repr=False)

    @property
    def encrypted(self) -> bool:
        return self.implicit_tls or self.starttls

    def describe(self) -> str:
        """Where, and how, without the credentials: for messages and the admin overview."""
        security = "TLS" if self.implicit_tls else ("STARTTLS" if self.starttls else "plain")
        return f"{self.host}:{self.port} ({security})"


def parse_smtp_url(value: str) -> SmtpServer:
    """`smtp://[user:pass@]host[:port][?starttls=1]` or `smtps://[user:pass@]host[:port]`."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError("expected a URL such as smtp://host:587?starttls=1") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"expected an smtp:// or smtps:// URL, got scheme {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("names no host, e.g. smtp://mail.clinic.org:587?starttls=1")
    if parts.path not in {"", "/"} or parts.fragment:
        raise ValueError("expected no path or fragment after the host and port")
    starttls = _starttls(parts.query)
    if starttls and scheme == "smtps":
        raise ValueError("smtps:// is encrypted already; starttls is for smtp://")
    username, password = unquote(parts.username or ""), unquote(parts.password or "")
    if bool(username) != bool(password):
        raise ValueError("give both a user name and a password, or neither")
    server = SmtpServer(
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[scheme],
        implicit_tls=scheme == "smtps",
        starttls=starttls,
        username=username,
        password=password,
    )
    if password and not server.encrypted:
        raise ValueError("would send its password unencrypted: use smtps:// or add ?starttls=1")
    return server


def _starttls(query: str) -> bool:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ValueError(f"cannot read the query {query!r}") from None
    starttls = False
    for key, raw in pairs:
        if key != "starttls":
            raise ValueError(f"unknown option {key!r}; the only one is starttls=1")
        if raw.lower() not in _TRUE | _FALSE:
            raise ValueError(f"starttls: expected 1 or 0, got {raw!r}")
        starttls = raw.lower() in _TRUE
    return starttls


def parse_sender(value: str) -> str:
    """A sender: `alerts@clinic.org` or `Clinic wellness <alerts@clinic.org>`, as given."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("expected one line")
    name, address = parseaddr(value)
    written = {address, f"<{address}>", f"{name} <{address}>", formataddr((name, address))}
    if not is_address(address) or value.strip() not in written:
        raise ValueError(f"expected an e-mail address such as alerts@clinic.org, got {value!r}")
    return value.strip()


def is_address(value: str) -> bool:
    """Whether `value` is a plain address (`someone@example.org`) mail servers accept."""
    return len(value) <= 254 and _ADDRESS.fullmatch(value) is not None


def parse_public_url(value: str, *, require_https: bool) -> str:
    """The address people reach the app at, e.g. https://wellness.clinic.org, without a
    trailing slash: links in e-mails start with it."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a port that is no number)
    except ValueError:
        raise ValueError(
            f"expected a URL such as https://wellness.clinic.org, got {value!r}"
        ) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    if require_https and parts.scheme != "https":
        raise ValueError("must be https:// in production")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("expected no user, query or fragment, only scheme, host and path")
    return value.rstrip("/")
