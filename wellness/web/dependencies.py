"""What handlers receive by declaring a parameter: the signed-in user, the time, the settings.

`create_app` registers `handler_dependencies(...)` for the whole app; Litestar matches them by
parameter name, so a handler that writes `user: SignedInUser` gets the signed-in user, and
`now: RequestTime` the app clock's reading. Guards run before dependencies are resolved, so a
route guarded by `signed_in` (or a stricter guard) always has a user to give. The media store
and the sign-in throttle come the same way, for the few routes that use them.

Handlers that need the request, the user, the time and the care rules together take them in
one `call`: `call: CareTeamCall` for the care team's routes (a patient's record, assignments,
restrictions, alerts, attendance), as `care_access` and the shared actions take them,
`call: LibraryCall` for writes to the library (coordinators' sessions and collections,
therapists' reviews of drafts), `call: PatientCall` for the routes where patients write
their own records (check-ins, GAD-7, practice, collections they follow, their Saved list), and
`call: AdminCall` for administrators' changes to accounts (`account_actions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from wellness.accounts.models import User
from wellness.accounts.throttle import LoginThrottle
from wellness.catalog.storage import MediaStore
from wellness.lib.clock import Clock
from wellness.settings import CarePolicy, Settings
from wellness.web.context import WebContext
from wellness.web.guards import current_user

# Each alias is meant for the parameter name in its comment.
SignedInUser = NamedDependency[User]  # user
RequestTime = NamedDependency[datetime]  # now: aware UTC, read once per request
AppClock = NamedDependency[Clock]  # clock: for code that reads the time more than once
AppSettings = NamedDependency[Settings]  # settings
CareRules = NamedDependency[CarePolicy]  # policy: the clinic's care settings
AppMediaStore = NamedDependency[MediaStore]  # media_store: where uploads and media files live
SignInLimits = NamedDependency[LoginThrottle]  # throttle: the sign-in allowances


@dataclass(frozen=True, slots=True)
class SignedInCall:
    """One request by a signed-in user: what it reads, audits and flashes through
    (`request`), who makes it (`user`), its time (`now`) and the clinic's care rules (`policy`)."""

    request: Request[Any, Any, Any]
    user: User
    now: datetime
    policy: CarePolicy


CareTeamCall = NamedDependency[SignedInCall]  # call: routes of a patient's care team
PatientCall = NamedDependency[SignedInCall]  # call: routes where patients write their records
LibraryCall = NamedDependency[SignedInCall]  # call: writes to sessions, collections, reviews
AdminCall = NamedDependency[SignedInCall]  # call: administrators' changes to accounts


def provide_user(request: Request[Any, Any, Any]) -> User:
    return current_user(request)


def handler_dependencies(context: WebContext) -> dict[str, Provide]:
    """The app-wide dependencies, read from the app's `WebContext`."""
    clock, settings, media_store = context.clock, context.settings, context.media_store
    throttle = context.login_throttle

    def provide_now() -> datetime:
        return clock.now()

    def provide_clock() -> Clock:
        return clock

    def provide_settings() -> Settings:
        return settings

    def provide_policy() -> CarePolicy:
        return settings.care

    def provide_call(request: Request[Any, Any, Any]) -> SignedInCall:
        # Read here rather than declared as `user`, `now` and `policy`: Litestar resolves
        # dependencies of the same level in a task group, a cost on every request that
        # needs all four.
        return SignedInCall(request, current_user(request), clock.now(), settings.care)

    def provide_media_store() -> MediaStore:
        return media_store

    def provide_throttle() -> LoginThrottle:
        return throttle

    return {
        "user": Provide(provide_user, sync_to_thread=False),
        "now": Provide(provide_now, sync_to_thread=False),
        "clock": Provide(provide_clock, use_cache=True, sync_to_thread=False),
        "settings": Provide(provide_settings, use_cache=True, sync_to_thread=False),
        "policy": Provide(provide_policy, use_cache=True, sync_to_thread=False),
        "media_store": Provide(provide_media_store, use_cache=True, sync_to_thread=False),
        "throttle": Provide(provide_throttle, use_cache=True, sync_to_thread=False),
        "call": Provide(provide_call, sync_to_thread=False),
    }
