"""Jinja2 setup: where templates live, and the few globals and filters pages use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup, escape

from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.caseload.usage_rules import change_direction, signed_change
from wellness.catalog.formats import registry as media_formats
from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN
from wellness.lib.durations import clock, rounded_minutes
from wellness.lib.languages import language_name
from wellness.lib.paging import page_numbers
from wellness.lib.zones import spoken, time_zone_names
from wellness.practice.charts.formatting import date_range, full_date
from wellness.resources import package_folder

# Where a cached fragment's forms take their CSRF input (`with_csrf`). A comment, so it can only
# come from a template: anything a person typed is escaped, and "<" is never kept as it is.
CSRF_SLOT = Markup("<!--csrf-->")


def with_csrf(request: Request[Any, Any, Any], html: Markup) -> Markup:
    """A cached fragment with this request's CSRF input in its forms' slots, as `csrf_input`
    would write it (the token is each browser's own, so it is never part of what is kept)."""
    token = ScopeState.from_scope(request.scope).csrf_token
    field = Markup('<input type="hidden" name="_csrf_token" value="{}" />').format(
        escape(token if isinstance(token, str) else "")
    )
    return Markup(html.replace(CSRF_SLOT, field))  # noqa: S704  (both parts are escaped HTML)


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    # Sections (e.g. Accounts) stay current on their sub-pages; a role's home does not.
    section: bool = False
    # Other paths of the same section (the library's collections), current with their pages.
    also: tuple[str, ...] = ()

    def is_current(self, path: str) -> bool:
        return any(
            path == href or (self.section and path.startswith(href + "/"))
            for href in (self.href, *self.also)
        )


# The library: its sessions, and its collections (reached from the library's own tabs, so the
# menu keeps to one row beside "Sign out" on a phone).
LIBRARY = NavItem("Library", "/sessions", section=True, also=("/collections",))

NAVIGATION: dict[Role, tuple[NavItem, ...]] = {
    # Support on every page: a patient in distress should not have to find it.
    Role.PATIENT: (
        NavItem("Today", "/patient"),
        LIBRARY,
        NavItem("Progress", "/progress"),
        NavItem("Support", "/support"),
    ),
    Role.THERAPIST: (
        NavItem("Caseload", "/therapist"),
        LIBRARY,
        NavItem("Drafts to review", "/reviews/drafts", section=True),
    ),
    Role.COORDINATOR: (
        NavItem("Home", "/coordinator"),
        LIBRARY,
        NavItem("Upload", "/library/upload"),
    ),
    Role.ADMIN: (
        NavItem("Overview", "/admin"),
        NavItem("Accounts", "/admin/users", section=True),
        NavItem("Audit trail", "/admin/audit", section=True),
    ),
}


def navigation_for(user: object) -> tuple[NavItem, ...]:
    return NAVIGATION[user.role] if isinstance(user, User) else ()


def local_datetime(value: datetime | None, zone: str = "UTC") -> str:
    """`value` in `zone` as "5 Dec 2026, 09:30", the way the charts and plans write dates."""
    if value is None:
        return "never"
    local = value.astimezone(ZoneInfo(zone))
    return f"{full_date(local.date())}, {local:%H:%M}"


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process and shared by every app built in it.

    Each app has its own Jinja environment, which would parse and compile each template again on
    its first render (some 10 to 40 ms a page). Jinja checks each entry against the template's
    source checksum, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def _configure(
    engine: JinjaTemplateEngine, clinic_time_zone: str = "UTC", reload: bool = True
) -> None:
    # Checking every template file's time on every render (and every import in it) is for
    # editing templates while the app runs; a production install's templates do not change.
    engine.engine.auto_reload = reload
    engine.engine.bytecode_cache = COMPILED_TEMPLATES
    engine.engine.globals["navigation_for"] = navigation_for
    # Staff records (accounts, audit events) are read in the clinic's zone, whoever reads them.
    engine.engine.globals["clinic_time_zone"] = clinic_time_zone
    # The file picker's `accept` list and the upload script's format labels.
    engine.engine.globals["media_accept"] = media_formats.accept
    engine.engine.globals["media_labels"] = media_formats.labels
    engine.engine.globals["time_zone_names"] = time_zone_names
    # The distress scale's ends, for the rating scales and the catalog's suitability range.
    engine.engine.globals["page_numbers"] = page_numbers
    engine.engine.globals["suds_min"] = SUDS_MIN
    engine.engine.globals["suds_max"] = SUDS_MAX
    engine.engine.filters["spoken_zone"] = spoken
    engine.engine.filters["language_name"] = language_name
    engine.engine.filters["local_datetime"] = local_datetime
    engine.engine.filters["minutes"] = rounded_minutes
    engine.engine.filters["clock"] = clock
    engine.engine.filters["full_date"] = full_date  # 4 Dec 2026
    engine.engine.filters["signed_change"] = signed_change  # "+0.4", or with a minus sign
    engine.engine.filters["change_direction"] = change_direction  # calmer
    engine.engine.filters["date_range"] = date_range  # 4 to 10 Dec 2026


def template_config(clinic_time_zone: str, *, reload: bool = True) -> TemplateConfig[Any]:
    return TemplateConfig(
        directory=package_folder("templates"),
        engine=JinjaTemplateEngine,
        engine_callback=partial(_configure, clinic_time_zone=clinic_time_zone, reload=reload),
    )
