"""Settings read once from the environment, strictly: a bad value stops start-up, naming it."""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wellness.checkins.scales import SUDS_MAX, SUDS_MIN
from wellness.lib.mail_config import SmtpServer, parse_public_url, parse_sender, parse_smtp_url
from wellness.lib.numbers import ascii_digits

PREFIX = "WELLNESS_"
_E = TypeVar("_E", bound=StrEnum)
_LOCATION_PREFIX = re.compile(r"^/(?:(?!\.{1,2}/)[A-Za-z0-9._~-]+/)+$")


class SettingsError(ValueError):
    """A setting has a value we refuse to start with."""


@dataclasses.dataclass(frozen=True, slots=True)
class CarePolicy:
    """The clinic's own choices for check-ins, safety alerts, practice and streaks."""

    alert_level: int = 8
    worse_by: int = 3
    gad7_interval_days: int = 14
    completion_percent: int = 80
    day_rollover_hour: int = 3
    rest_days_per_week: int = 0
    backdate_days: int = 14
    checkin_as_before_minutes: int = 15
    checkin_as_after_minutes: int = 15
    clinic_contact: str = ""
    crisis_line: str = ""
    monitored_always: bool = False
    # Whether alerts are also e-mailed (WELLNESS_SMTP_URL is set): their outbox rows are
    # written with them only then, so nothing queues up while e-mail is off.
    email_alerts: bool = False

    @property
    def completion_fraction(self) -> float:
        return self.completion_percent / 100

    @property
    def checkin_as_before(self) -> timedelta:
        return timedelta(minutes=self.checkin_as_before_minutes)

    @property
    def checkin_as_after(self) -> timedelta:
        return timedelta(minutes=self.checkin_as_after_minutes)


@dataclasses.dataclass(frozen=True, slots=True)
class MailSettings:
    """Alert e-mails: the SMTP server, the sender, and the app's public address for links."""

    server: SmtpServer
    sender: str
    public_url: str


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    env: Environment
    data_dir: Path
    database_url: str
    media_dir: Path
    secret_key: str
    redis_url: str | None
    clinic_timezone: str
    staff_idle_minutes: int
    patient_idle_minutes: int
    session_lifetime_hours: int
    login_failures_per_account: int
    login_failures_per_device: int
    login_failures_per_client: int
    login_window_minutes: int
    max_upload_mb: int
    max_media_minutes: int
    media_accel_prefix: str | None
    demo_audio_scale: float
    auto_migrate: bool
    # Proxies whose X-Forwarded-For names the client; none by default.
    forwarded_allow_ips: tuple[str, ...] = ()
    # Per signed-in person, or per address without a session; 0: no limit.
    requests_per_minute: int = 1200
    # Publishing a draft needs a therapist's approval of its current version (wellness.reviews);
    # off, publishing an unapproved draft asks the coordinator to confirm instead.
    publish_needs_review: bool = False
    care: CarePolicy = dataclasses.field(default_factory=CarePolicy)
    # None: e-mail is off (WELLNESS_SMTP_URL unset).
    mail: MailSettings | None = None
    # Where people reach the app (WELLNESS_PUBLIC_URL), for links in e-mails.
    public_url: str | None = None
    demo: bool = False
    # Tests swap the persistent store for a memory one; production never sets this.
    memory_stores: bool = False

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    reader = _Reader(env)
    environment = reader.choice("ENV", Environment, Environment.DEVELOPMENT)
    data_dir = reader.path("DATA_DIR", Path("data"))
    public_url = reader.public_url(
        "PUBLIC_URL", require_https=environment is Environment.PRODUCTION
    )
    mail = _mail(reader, public_url)
    database_url = reader.database_url("DATABASE_URL", f"sqlite://{data_dir / 'wellness.sqlite3'}")
    return Settings(
        env=environment,
        data_dir=data_dir,
        database_url=database_url,
        media_dir=reader.path("MEDIA_DIR", Path("media")),
        secret_key=reader.secret_key(environment, data_dir),
        redis_url=reader.redis_url("REDIS_URL"),
        clinic_timezone=reader.timezone("CLINIC_TIMEZONE", "UTC"),
        # HIPAA's automatic logoff: staff screens hold many patients' data (at most 30 min).
        staff_idle_minutes=reader.integer("STAFF_IDLE_MINUTES", 20, low=1, high=30),
        patient_idle_minutes=reader.integer("PATIENT_IDLE_MINUTES", 120, low=1, high=30 * 24 * 60),
        session_lifetime_hours=reader.integer("SESSION_LIFETIME_HOURS", 12, low=1, high=24 * 30),
        # At most 40 per window of at least an hour: strangers alone never reach the
        # 100-per-hour cap on an account that would also lock its known devices (throttle.py).
        login_failures_per_account=reader.integer("LOGIN_FAILURES_PER_ACCOUNT", 10, low=1, high=40),
        login_failures_per_device=reader.integer("LOGIN_FAILURES_PER_DEVICE", 10, low=1, high=100),
        login_failures_per_client=reader.integer(
            "LOGIN_FAILURES_PER_CLIENT", 50, low=1, high=10_000
        ),
        login_window_minutes=reader.integer("LOGIN_WINDOW_MINUTES", 60, low=60, high=24 * 60),
        max_upload_mb=reader.integer("MAX_UPLOAD_MB", 500, low=1, high=20_000),
        max_media_minutes=reader.integer("MAX_MEDIA_MINUTES", 360, low=1, high=24 * 60),
        media_accel_prefix=reader.location_prefix("MEDIA_ACCEL_PREFIX"),
        demo_audio_scale=reader.fraction("DEMO_AUDIO_SCALE", 1.0),
        auto_migrate=reader.boolean("AUTO_MIGRATE", environment is Environment.DEVELOPMENT),
        forwarded_allow_ips=reader.networks("FORWARDED_ALLOW_IPS"),
        requests_per_minute=reader.integer("REQUESTS_PER_MINUTE", 1200, low=0, high=1_000_000),
        care=dataclasses.replace(_care_policy(reader), email_alerts=mail is not None),
        mail=mail,
        public_url=public_url,
        publish_needs_review=reader.boolean("PUBLISH_NEEDS_REVIEW", False),
        demo=reader.boolean("DEMO", False),
    )


def _mail(reader: _Reader, public_url: str | None) -> MailSettings | None:
    """E-mail is on when WELLNESS_SMTP_URL is set; it then needs a sender and the public URL."""
    server = reader.smtp_url("SMTP_URL")
    sender = reader.sender("MAIL_FROM")
    if server is None:
        return None
    if sender is None:
        raise reader.fail("MAIL_FROM", "is required when WELLNESS_SMTP_URL is set")
    if public_url is None:
        raise reader.fail(
            "PUBLIC_URL", "is required when WELLNESS_SMTP_URL is set (links in alert e-mails)"
        )
    return MailSettings(server=server, sender=sender, public_url=public_url)


def _care_policy(reader: _Reader) -> CarePolicy:
    return CarePolicy(
        alert_level=reader.integer("ALERT_LEVEL", 8, low=SUDS_MIN + 1, high=SUDS_MAX),
        worse_by=reader.integer("ALERT_WORSE_BY", 3, low=1, high=SUDS_MAX - SUDS_MIN),
        gad7_interval_days=reader.integer("GAD7_INTERVAL_DAYS", 14, low=1, high=365),
        completion_percent=reader.integer("COMPLETION_PERCENT", 80, low=1, high=100),
        day_rollover_hour=reader.integer("DAY_ROLLOVER_HOUR", 3, low=0, high=12),
        rest_days_per_week=reader.integer("REST_DAYS_PER_WEEK", 0, low=0, high=3),
        backdate_days=reader.integer("BACKDATE_DAYS", 14, low=0, high=365),
        checkin_as_before_minutes=reader.integer("CHECKIN_AS_BEFORE_MINUTES", 15, low=0, high=60),
        checkin_as_after_minutes=reader.integer("CHECKIN_AS_AFTER_MINUTES", 15, low=0, high=60),
        clinic_contact=reader.text("CLINIC_CONTACT", max_length=200),
        crisis_line=reader.text("CRISIS_LINE", max_length=200),
        monitored_always=reader.boolean("MONITORED_ALWAYS", False),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Reader:
    env: Mapping[str, str]

    def raw(self, name: str) -> str | None:
        value = self.env.get(PREFIX + name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def fail(self, name: str, message: str) -> SettingsError:
        return SettingsError(f"{PREFIX}{name}: {message}")

    def choice(self, name: str, enum: type[_E], default: _E) -> _E:
        value = self.raw(name)
        if value is None:
            return default
        try:
            return enum(value.lower())
        except ValueError:
            allowed = " | ".join(member.value for member in enum)
            raise self.fail(name, f"expected one of {allowed}, got {value!r}") from None

    def text(self, name: str, *, max_length: int) -> str:
        value = self.raw(name) or ""
        if len(value) > max_length or any(ord(char) < 32 for char in value):
            raise self.fail(name, f"expected one line of at most {max_length} characters")
        return value

    def path(self, name: str, default: Path) -> Path:
        value = self.raw(name)
        return Path(value) if value is not None else default

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        number = ascii_digits(value.strip(), max_digits=18)  # not "٩", "1_0" or "+1"
        if number is None:
            raise self.fail(name, f"expected a whole number, got {value!r}")
        if not low <= number <= high:
            raise self.fail(name, f"expected a number from {low} to {high}, got {number}")
        return number

    def fraction(self, name: str, default: float) -> float:
        """A number above 0 and at most 1."""
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            raise self.fail(name, f"expected a number, got {value!r}") from None
        if not (math.isfinite(number) and 0 < number <= 1):
            raise self.fail(name, f"expected a number above 0 and at most 1, got {value!r}")
        return number

    def location_prefix(self, name: str) -> str | None:
        """A URL path of whole segments ending in "/", with no "." or ".." segments."""
        value = self.raw(name)
        if value is not None and not _LOCATION_PREFIX.match(value):
            raise self.fail(name, f"expected a location path such as /_media/, got {value!r}")
        return value

    def networks(self, name: str) -> tuple[str, ...]:
        """Comma-separated IP addresses or networks (CIDR), normalised; none when unset."""
        value = self.raw(name)
        if value is None:
            return ()
        found = []
        for part in value.split(","):
            try:
                found.append(str(ipaddress.ip_network(part.strip(), strict=False)))
            except ValueError:
                raise self.fail(
                    name, f"expected IP addresses or networks such as 10.0.0.5, got {part!r}"
                ) from None
        return tuple(found)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise self.fail(name, f"expected true or false, got {value!r}")

    def timezone(self, name: str, default: str) -> str:
        value = self.raw(name) or default
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(name, f"unknown IANA time zone {value!r}") from None
        return value

    def database_url(self, name: str, default: str) -> str:
        value = self.raw(name) or default
        scheme = urlsplit(value).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "asyncpg"}:
            raise self.fail(name, f"expected a sqlite:// or postgres:// URL, got scheme {scheme!r}")
        return value

    def redis_url(self, name: str) -> str | None:
        value = self.raw(name)
        if value is not None and urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
            raise self.fail(name, "expected a redis:// or rediss:// URL")
        return value

    def smtp_url(self, name: str) -> SmtpServer | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return parse_smtp_url(value)
        except ValueError as problem:
            raise self.fail(name, str(problem)) from None

    def sender(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return parse_sender(value)
        except ValueError as problem:
            raise self.fail(name, str(problem)) from None

    def public_url(self, name: str, *, require_https: bool) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return parse_public_url(value, require_https=require_https)
        except ValueError as problem:
            raise self.fail(name, str(problem)) from None

    def secret_key(self, environment: Environment, data_dir: Path) -> str:
        value = self.raw("SECRET_KEY")
        if value is not None:
            if len(value) < 32:
                raise self.fail("SECRET_KEY", "must be at least 32 characters")
            return value
        if environment is Environment.PRODUCTION:
            raise self.fail("SECRET_KEY", "is required in production")
        return _development_secret(data_dir)


def _development_secret(data_dir: Path) -> str:
    """A per-checkout secret kept in the data folder, so restarts keep sessions and CSRF valid."""
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
