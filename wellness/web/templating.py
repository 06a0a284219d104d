"""Jinja2 setup: where templates live, and the few globals and filters pages use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.lib.durations import clock, rounded_minutes
from wellness.lib.languages import language_name
from wellness.lib.zones import spoken, time_zone_names

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    # Sections (e.g. Accounts) stay current on their sub-pages; a role's home does not.
    section: bool = False

    def is_current(self, path: str) -> bool:
        return path == self.href or (self.section and path.startswith(self.href + "/"))


LIBRARY = NavItem("Library", "/sessions", section=True)

NAVIGATION: dict[Role, tuple[NavItem, ...]] = {
    Role.PATIENT: (NavItem("Today", "/patient"), LIBRARY, NavItem("Progress", "/progress")),
    Role.THERAPIST: (NavItem("Caseload", "/therapist"), LIBRARY),
    Role.COORDINATOR: (
        NavItem("Home", "/coordinator"),
        LIBRARY,
        NavItem("Upload", "/library/upload"),
    ),
    Role.ADMIN: (NavItem("Overview", "/admin"), NavItem("Accounts", "/admin/users", section=True)),
}


def navigation_for(user: object) -> tuple[NavItem, ...]:
    return NAVIGATION[user.role] if isinstance(user, User) else ()


def local_datetime(value: datetime | None, zone: str = "UTC") -> str:
    if value is None:
        return "never"
    return value.astimezone(ZoneInfo(zone)).strftime("%d %b %Y, %H:%M")


def _configure(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals["navigation_for"] = navigation_for
    engine.engine.globals["time_zone_names"] = time_zone_names
    engine.engine.filters["spoken_zone"] = spoken
    engine.engine.filters["language_name"] = language_name
    engine.engine.filters["local_datetime"] = local_datetime
    engine.engine.filters["minutes"] = rounded_minutes
    engine.engine.filters["clock"] = clock


def template_config() -> TemplateConfig[Any]:
    return TemplateConfig(
        directory=TEMPLATE_DIR, engine=JinjaTemplateEngine, engine_callback=_configure
    )
