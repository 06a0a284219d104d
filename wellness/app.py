"""create_app(settings): the one place that wires the application together."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.middleware.session.server_side import ServerSideSessionBackend
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.types import ASGIApp
from redis.asyncio import Redis

from wellness import __version__
from wellness.accounts.models import User
from wellness.accounts.sessions import SessionPolicy
from wellness.accounts.throttle import LoginThrottle, ResetRequestThrottle
from wellness.catalog.storage import LocalMediaStore
from wellness.db import database_lifespan
from wellness.lib.clock import Clock, SystemClock
from wellness.notifications.delivery import deliver_due
from wellness.notifications.loop import DeliveryLoop
from wellness.notifications.mailer import mailer_for
from wellness.notifications.password_reset_mail import reset_mail_job
from wellness.notifications.reminder_delivery import reminder_job
from wellness.resources import package_folder
from wellness.settings import Settings, load_settings
from wellness.system.locks import FileLock, ProcessLock, RedisLock, SharedLock
from wellness.web.api.accounts import AccountsApi
from wellness.web.api.assignments import AssignmentsApi, MyPlanApi
from wellness.web.api.auth import AuthApi
from wellness.web.api.care import CareApi
from wellness.web.api.care_restrictions import CareRestrictionsApi
from wellness.web.api.catalog import CatalogApi, MediaApi
from wellness.web.api.checkins import CheckinsApi
from wellness.web.api.collections import CollectionsApi, MyCollectionsApi
from wellness.web.api.display import DisplayApi
from wellness.web.api.fhir import OwnFhirApi, PatientFhirApi
from wellness.web.api.health import healthz
from wellness.web.api.library_usage import LibraryUsageApi
from wellness.web.api.notes import PatientNotesApi
from wellness.web.api.patient_record import PatientRecordApi
from wellness.web.api.practice import PracticeApi
from wellness.web.api.reminders import ReminderApi
from wellness.web.api.reviews import ReviewsApi
from wellness.web.api.saved import SavedApi
from wellness.web.api.suggestions import SuggestionsApi
from wellness.web.auth import retrieve_user
from wellness.web.context import STATE_KEY, WebContext
from wellness.web.dependencies import handler_dependencies
from wellness.web.errors import EXCEPTION_HANDLERS
from wellness.web.file_store import LocalFileStore
from wellness.web.ids import ascii_path_ids
from wellness.web.media import (
    OPEN_FILES,
    GrantedMediaServer,
    MediaFolder,
    MediaPlugin,
    QuietGrantedRanges,
    pruning_open_files,
)
from wellness.web.menu import count_open_alerts
from wellness.web.openapi import CompletedJson
from wellness.web.pages.account import AccountPages
from wellness.web.pages.admin import AdminPages
from wellness.web.pages.assignments import AssignmentPages
from wellness.web.pages.audit import AuditPages
from wellness.web.pages.auth import AuthPages
from wellness.web.pages.care import CarePages
from wellness.web.pages.care_restrictions import CareRestrictionPages
from wellness.web.pages.catalog import CatalogPages
from wellness.web.pages.collections import CollectionPages
from wellness.web.pages.dashboard import DashboardPages
from wellness.web.pages.home import HomePages
from wellness.web.pages.library import LibraryPages
from wellness.web.pages.library_collections import LibraryCollectionPages
from wellness.web.pages.library_media import LibraryMedia, library_upload_router
from wellness.web.pages.library_usage import LibraryUsagePages
from wellness.web.pages.my_practices import MyPracticesPages
from wellness.web.pages.password_reset import PasswordResetPages
from wellness.web.pages.patient_notes import PatientNotePages
from wellness.web.pages.patient_record import PatientRecordPages
from wellness.web.pages.patient_report import PatientReportPages
from wellness.web.pages.reviews import ReviewPages
from wellness.web.pages.saved import SavedPages
from wellness.web.pages.wellbeing import WellbeingPages
from wellness.web.password_reset import RedactedResetLinks
from wellness.web.refusals import audit_refusal, record_repeated_refusals_at_shutdown
from wellness.web.request_budget import EXEMPT, within_request_budget
from wellness.web.request_counters import request_budget
from wellness.web.security import api_writes_carry_token, header_securer, security_headers
from wellness.web.sessions import RotatingSessionConfig
from wellness.web.static_files import StaticFileSystem
from wellness.web.strict_json import JsonRequest, StrictBodyPlugin
from wellness.web.templating import template_config
from wellness.web.uploads import MULTIPART_OVERHEAD

SESSION_COOKIE = "wellness_session"
REDIS_NAMESPACE = "wellness"
REQUEST_COUNTERS_NAMESPACE = f"{REDIS_NAMESPACE}:requests"
THROTTLE_LOCK_NAME = f"{REDIS_NAMESPACE}:throttle-lock"
SESSION_STORE_TIMEOUT_SECONDS = 5.0
# Anonymous requests to these prefixes are expected; every other route refuses them.
PUBLIC_PREFIXES = ["/static", "/schema"]


def build_stores(settings: Settings) -> dict[str, Store]:
    if settings.memory_stores:
        return {"sessions": MemoryStore(), "throttle": MemoryStore()}
    if settings.redis_url is not None:
        # As `RedisStore.with_client` builds it, but with bounded waits: a Redis that stops
        # answering makes requests 503 within seconds (`errors.handle_unavailable`), instead of
        # holding them until the operating system gives up on the connection.
        client = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=SESSION_STORE_TIMEOUT_SECONDS,
            socket_timeout=SESSION_STORE_TIMEOUT_SECONDS,
        )
        root = RedisStore(client, namespace=REDIS_NAMESPACE, handle_client_shutdown=True)
        return {
            "sessions": root.with_namespace("sessions"),
            "throttle": root.with_namespace("throttle"),
        }
    # Files survive a restart, so nobody is signed out by a deploy on a single host.
    return {
        "sessions": LocalFileStore(settings.data_dir / "sessions", create_directories=True),
        "throttle": LocalFileStore(settings.data_dir / "throttle", create_directories=True),
    }


def throttle_lock(settings: Settings) -> SharedLock:
    """The sign-in throttle's lock, shared as its store is (see `build_stores`)."""
    if settings.memory_stores:
        return ProcessLock()
    if settings.redis_url is not None:
        return RedisLock.from_url(settings.redis_url, THROTTLE_LOCK_NAME)
    return FileLock(settings.data_dir / "throttle.lock")


def _session_auth(settings: Settings) -> SessionAuth[User, ServerSideSessionBackend]:
    session_config = RotatingSessionConfig(
        store="sessions",
        key=SESSION_COOKIE,
        max_age=settings.session_lifetime_hours * 3600,
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
    )
    return SessionAuth[User, ServerSideSessionBackend](
        retrieve_user_handler=retrieve_user,
        session_backend_config=session_config,
        exclude=PUBLIC_PREFIXES,
    )


def _web_context(settings: Settings, stores: dict[str, Store], clock: Clock) -> WebContext:
    lock = throttle_lock(settings)
    return WebContext(
        settings=settings,
        session_policy=SessionPolicy(
            staff_idle_seconds=settings.staff_idle_minutes * 60,
            patient_idle_seconds=settings.patient_idle_minutes * 60,
            lifetime_seconds=settings.session_lifetime_hours * 3600,
        ),
        login_throttle=LoginThrottle(
            store=stores["throttle"],
            per_account=settings.login_failures_per_account,
            per_device=settings.login_failures_per_device,
            per_client=settings.login_failures_per_client,
            window_seconds=settings.login_window_minutes * 60,
            lock=lock,
        ),
        media_store=LocalMediaStore(settings.media_dir),
        clock=clock,
        request_budget=request_budget(
            settings.requests_per_minute,
            None if settings.memory_stores else settings.redis_url,
            namespace=REQUEST_COUNTERS_NAMESPACE,
        ),
        alert_emails=_delivery_loop(settings, clock),
        reset_throttle=ResetRequestThrottle(store=stores["throttle"], lock=lock),
    )


def _delivery_loop(settings: Settings, clock: Clock) -> DeliveryLoop | None:
    mail = settings.mail
    if mail is None:
        return None
    jobs = (deliver_due, reminder_job(settings.care), reset_mail_job(settings.secret_key))
    return DeliveryLoop(mailer_for(mail.server, mail.public_url), mail, clock, jobs=jobs)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Litestar:
    """The app. Everything in it reads the time from `clock` (the wall clock unless given):
    handlers through the `now` or `clock` dependency, the rest through `web.context.utc_now`."""
    settings = settings or load_settings()
    clock = clock or SystemClock()
    stores = build_stores(settings)
    context = _web_context(settings, stores, clock)
    templates = template_config(settings.clinic_timezone, reload=not settings.is_production)
    uploads = Router(
        path="/",
        route_handlers=[MediaApi],
        # Only the upload route takes large bodies; the cap itself is enforced while streaming.
        request_max_body_size=settings.max_upload_bytes + MULTIPART_OVERHEAD,
    )
    api = Router(
        path="/",
        route_handlers=[
            AuthApi,
            CatalogApi,
            CollectionsApi,
            LibraryUsageApi,
            CheckinsApi,
            PracticeApi,
            CareApi,
            SuggestionsApi,
            AssignmentsApi,
            MyPlanApi,
            MyCollectionsApi,
            PatientRecordApi,
            PatientFhirApi,
            OwnFhirApi,
            PatientNotesApi,
            CareRestrictionsApi,
            ReviewsApi,
            ReminderApi,
            DisplayApi,
            SavedApi,
            AccountsApi,
            uploads,
        ],
        guards=[api_writes_carry_token],
        # Litestar's middleware would ask every client for a token; the guard asks browsers only.
        opt={"exclude_from_csrf": True},
    )
    static = create_static_files_router(
        path="/static",
        directories=[package_folder("web/static")],
        file_system=StaticFileSystem(),
        opt={"exclude_from_auth": True, EXEMPT: True},
        cache_control=CacheControlHeader(max_age=86400, public=True),
        include_in_schema=False,
    )
    pages = Router(
        path="/",
        route_handlers=[
            AuthPages,
            PasswordResetPages,
            HomePages,
            DashboardPages,
            AccountPages,
            AdminPages,
            AuditPages,
            CatalogPages,
            SavedPages,
            CollectionPages,
            LibraryPages,
            LibraryCollectionPages,
            LibraryMedia,
            LibraryUsagePages,
            WellbeingPages,
            CarePages,
            AssignmentPages,
            MyPracticesPages,
            PatientRecordPages,
            PatientNotePages,
            PatientReportPages,
            CareRestrictionPages,
            ReviewPages,
            library_upload_router(settings.max_upload_bytes + MULTIPART_OVERHEAD),
        ],
        # HTML for people, not an API: the OpenAPI document describes the JSON API only.
        include_in_schema=False,
    )
    return Litestar(
        route_handlers=[pages, api, healthz, static],
        # Exited in reverse: the refusals still counted are recorded before the database closes.
        lifespan=[
            database_lifespan(settings.database_url, auto_migrate=settings.auto_migrate),
            # Inside the database's: stopped, with any message being sent, before it closes.
            deliver_alert_emails,
            record_repeated_refusals_at_shutdown,
            close_shared_connections,
            pruning_open_files,
        ],
        stores=stores,
        state=State({STATE_KEY: context}),
        dependencies=handler_dependencies(context),
        on_app_init=[_session_auth(settings).on_app_init],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="wellness_csrf",
            cookie_secure=settings.is_production,
            cookie_samesite="lax",
            # Pages carry the token in their forms; no script needs to read the cookie.
            cookie_httponly=True,
        ),
        template_config=templates,
        plugins=[
            FlashPlugin(FlashConfig(template_config=templates)),
            MediaPlugin(
                MediaFolder(context.media_store, settings.media_dir, settings.media_accel_prefix)
            ),
            StrictBodyPlugin(),
        ],
        before_request=count_open_alerts,
        before_send=[security_headers(production=settings.is_production)],
        # The request limit first: a request over it costs no other check.
        guards=[within_request_budget, ascii_path_ids],
        request_class=JsonRequest,
        exception_handlers=EXCEPTION_HANDLERS,
        # Audits loaders' 404s and CSRF refusals, whichever handler answers them.
        after_exception=[audit_refusal],
        openapi_config=OpenAPIConfig(
            title="wellness",
            version=__version__,
            path="/schema",
            render_plugins=[CompletedJson()],
            # The handlers' docstrings are written for API clients: they are the descriptions.
            use_handler_docstrings=True,
        ),
        debug=False,
    )


@asynccontextmanager
async def deliver_alert_emails(app: Litestar) -> AsyncIterator[None]:
    """A lifespan that runs the e-mail delivery task (alert e-mails, practice reminders) while
    the app runs (if e-mail is on) and stops it on shutdown."""
    context: WebContext = app.state[STATE_KEY]
    delivery = context.alert_emails
    if delivery is None:
        yield
        return
    delivery.start()
    try:
        yield
    finally:
        await delivery.stop()


@asynccontextmanager
async def close_shared_connections(app: Litestar) -> AsyncIterator[None]:
    """A lifespan that closes the request counters' and the throttle lock's own connections
    (to Redis, or the lock file) when the worker stops."""
    yield
    context: WebContext = app.state[STATE_KEY]
    await context.request_budget.counters.aclose()
    await context.login_throttle.lock.aclose()


def create_app_from_environment() -> ASGIApp:
    """Factory for ASGI servers (`uvicorn --factory wellness.app:create_app_from_environment`)."""
    settings = load_settings()
    return as_served(create_app(settings), settings)


def as_served(app: Litestar, settings: Settings) -> ASGIApp:
    """The app as a server process runs it: behind the media fast path, with quiet logs for
    granted ranges, and with everything alive after start-up frozen out of the collector's
    reach, so full collections scan only what requests create (this cut the progress page's
    p99 from 62 to 25 ms in bench/progress.py). Not for tests, which build many apps."""
    logging.getLogger("uvicorn.access").addFilter(QuietGrantedRanges())
    logging.getLogger("uvicorn.access").addFilter(RedactedResetLinks())
    served = behind_media_fast_path(app, settings)
    gc.freeze()
    return served


def behind_media_fast_path(app: Litestar, settings: Settings) -> ASGIApp:
    """The app behind the media fast path as a plain ASGI app (see `GrantedMediaServer`):
    repeated ranges of a media file a browser was just allowed are answered before Litestar's
    layers, with the same security headers."""
    return GrantedMediaServer(
        app,
        app.plugins.get(MediaPlugin).grants,
        OPEN_FILES,
        header_securer(production=settings.is_production),
    )


__all__: list[Any] = [
    "as_served",
    "behind_media_fast_path",
    "create_app",
    "create_app_from_environment",
]
