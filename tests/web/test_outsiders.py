"""Every route refuses signed-in outsiders and leaves the data as it was; new routes included.

`ACCESS` states, for every route of the app, who may use it: which roles, and for a route that
names a record by id, whose record (the patient's own, a patient on the therapist's caseload, a
catalog draft). A route missing from it, or an entry naming no route, fails the test, so a new
route must be classified here. Every outsider then sends a real request with a valid CSRF token
and a plausible body, on a real record of someone else's (never a missing id), and:

- is refused with the answer the app gives outsiders: a role guard's 403, or a record loader's
  404 (the same as for a record that does not exist), or for a record named in the body, a 422
  naming the field (the same as for an id that is nobody's);
- leaves every table as it was (the append-only audit trail only gains rows) and the media files;
- sees nobody else's data in the answer (names, e-mail addresses, notes, a draft's title), but
  the names of the patients on their own caseload (a refused form shown again lists them).

The world is seeded once per module, through the app's own API as each insider would: the
personas of tests/conftest.py (`therapist` looks after `patient`, `other_therapist` after
`other_patient`), a published and a draft session with media and covers, a draft collection of
the published one and a published collection of it that `patient` follows, `patient`'s
check-ins, GAD-7, practice, saved session, alert, assignment, contraindication and ban,
`therapist`'s clinician note on her, and `therapist`'s review of another draft. One more
therapist, `former_therapist`, was on `patient`'s care team and was taken off it by an admin: a
former member is an outsider like any other therapist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from litestar import Litestar
from tortoise import connections

from tests.conftest import (
    BASE_URL,
    PERSONAS,
    TEST_NOW,
    Client,
    Persona,
    create_personas,
    fresh_database_url,
    persona_password_hash,
    settings_for,
)
from tests.mail_servers import free_port, mail_settings
from tests.media_fixtures import make_flac, png_bytes, with_tags
from tests.web.test_route_table import PUBLIC_ROUTES, all_routes
from wellness.accounts import services as accounts
from wellness.accounts.roles import Role
from wellness.app import create_app
from wellness.care.models import Alert
from wellness.catalog.models import MediaAsset
from wellness.lib.clock import FixedClock
from wellness.settings import Settings

pytestmark = pytest.mark.xdist_group("outsiders")  # one worker seeds the module's world once


class Whose(Enum):
    """Whose record the id in a route's path names, when the route's roles are not enough."""

    PATIENTS_OWN = "the patient's own"  # `other_patient` is an outsider (404)
    CASELOAD = "a patient on the therapist's caseload"  # `other_therapist` is an outsider (404)
    # Named in the body, as ids in a body are: outsiders get a 422 naming the field.
    CASELOAD_IN_BODY = "patients on the therapist's caseload, named in the body"
    # An upload no session plays: only such media may be deleted.
    UNUSED_MEDIA = "an upload no session plays"
    # A published collection: the one patients may start and stop following (their own).
    PUBLISHED_COLLECTION = "a published collection, followed by whoever asks"
    # A session in the library (the published one), which a patient may save: each patient's
    # Saved list is their own, so other patients are insiders too.
    LIBRARY_SESSION = "a session in the library"
    # An account invited by e-mail, without a password yet: the only kind invited again.
    INVITED_ACCOUNT = "an account invited by e-mail"


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role]  # who may use it; empty for public routes
    refusal: int = 403  # the answer to other roles: 403 from a role guard, 404 from a loader
    whose: Whose | None = None
    public: bool = False


FORMER_THERAPIST = Persona(
    "former_therapist", "former.therapist@example.org", "Erin Former", Role.THERAPIST
)
# Everyone who signs in to the world: the personas, and the therapist taken off the care team.
SIGNED_IN = {**PERSONAS, FORMER_THERAPIST.key: FORMER_THERAPIST}
EVERY_ROLE = frozenset(Role)
PUBLIC = Access(EVERY_ROLE, public=True)
# Every signed-in person, on their own account or on what everyone may see: no outsiders.
ANYONE = Access(EVERY_ROLE)
ADMINS = Access(frozenset({Role.ADMIN}))
INVITING_ADMINS = Access(frozenset({Role.ADMIN}), whose=Whose.INVITED_ACCOUNT)
COORDINATORS = Access(frozenset({Role.COORDINATOR}))
PATIENTS = Access(frozenset({Role.PATIENT}))
THERAPISTS = Access(frozenset({Role.THERAPIST}))
# The library's usage figures (aggregates, small cells hidden): coordinators and administrators.
USAGE_READERS = Access(frozenset({Role.COORDINATOR, Role.ADMIN}))
# A catalog draft (and its media and cover): coordinators only; a loader refuses the others.
DRAFT = Access(frozenset({Role.COORDINATOR}), refusal=404)
# What plays with a draft (its media, cover and captions): coordinators, and therapists, who
# review drafts; a loader refuses the others.
PLAYS_DRAFT = Access(frozenset({Role.COORDINATOR, Role.THERAPIST}), refusal=404)
# A draft's clinical reviews: staff read them (a loader answers patients 404, as for the draft).
REVIEWS_READ = Access(frozenset({Role.COORDINATOR, Role.THERAPIST, Role.ADMIN}), refusal=404)
# Deleting an upload: coordinators only, and the media must be one no session plays.
UNUSED_MEDIA = Access(frozenset({Role.COORDINATOR}), whose=Whose.UNUSED_MEDIA)
# A patient's own Saved list, of a session in the library.
SAVED_LIST = Access(frozenset({Role.PATIENT}), whose=Whose.LIBRARY_SESSION)
# The patient's own practice record, behind a patients-only guard.
OWN_PRACTICE = Access(frozenset({Role.PATIENT}), whose=Whose.PATIENTS_OWN)
# Starting and stopping a published collection: each patient their own following.
FOLLOWS = Access(frozenset({Role.PATIENT}), whose=Whose.PUBLISHED_COLLECTION)
# A patient's care team: behind a therapists-only guard (403 to other roles), or behind
# `signed_in` with the care-team lookup answering 404 to everyone else.
CARE_GUARDED = Access(frozenset({Role.THERAPIST}), whose=Whose.CASELOAD)
CARE_LOADED = Access(frozenset({Role.THERAPIST}), refusal=404, whose=Whose.CASELOAD)
# A group's attendance: therapists only, the patients named in the body.
CARE_GROUP = Access(frozenset({Role.THERAPIST}), whose=Whose.CASELOAD_IN_BODY)

ACCESS: dict[tuple[str, str], Access] = {
    **dict.fromkeys(PUBLIC_ROUTES, PUBLIC),
    # Everyone's own account and session; the catalog as far as each may see it.
    ("GET", "/account"): ANYONE,
    ("POST", "/account/password"): ANYONE,
    ("POST", "/account/time-zone"): ANYONE,
    ("POST", "/account/display"): ANYONE,
    ("GET", "/api/v1/account/display"): ANYONE,
    ("PUT", "/api/v1/account/display"): ANYONE,
    ("POST", "/logout"): ANYONE,
    ("POST", "/api/v1/auth/logout"): ANYONE,
    ("GET", "/api/v1/me"): ANYONE,
    ("GET", "/sessions"): ANYONE,
    ("GET", "/api/v1/sessions"): ANYONE,
    ("GET", "/collections"): ANYONE,
    ("GET", "/api/v1/collections"): ANYONE,
    # Catalog records: published ones for everyone, drafts for coordinators (a draft is used).
    ("GET", "/sessions/{session_id:int}"): DRAFT,
    ("GET", "/sessions/{session_id:int}/captions.vtt"): PLAYS_DRAFT,
    ("GET", "/api/v1/sessions/{session_id:int}"): DRAFT,
    # A collection: published ones for everyone, drafts for coordinators (a draft is used).
    ("GET", "/collections/{collection_id:int}"): DRAFT,
    ("GET", "/api/v1/collections/{collection_id:int}"): DRAFT,
    ("GET", "/media/{asset_id:int}"): PLAYS_DRAFT,
    # For nginx's auth_request, which takes only 401 and 403 as refusals.
    ("GET", "/media/{asset_id:int}/access"): Access(
        frozenset({Role.COORDINATOR, Role.THERAPIST}), refusal=403
    ),
    ("GET", "/media/covers/{key:str}"): PLAYS_DRAFT,
    # Clinical review of the draft: therapists review (a role guard refuses the others, who
    # may not review whatever the draft), staff read the reviews.
    ("GET", "/reviews/drafts"): THERAPISTS,
    ("GET", "/reviews/drafts/{session_id:int}"): THERAPISTS,
    ("POST", "/reviews/drafts/{session_id:int}"): THERAPISTS,
    ("GET", "/api/v1/reviews/drafts"): THERAPISTS,
    ("GET", "/api/v1/sessions/{session_id:int}/reviews"): REVIEWS_READ,
    ("POST", "/api/v1/sessions/{session_id:int}/reviews"): THERAPISTS,
    # A patient's own records.
    ("POST", "/account/streaks"): PATIENTS,
    ("POST", "/account/reminder"): PATIENTS,
    ("GET", "/api/v1/account/reminder"): PATIENTS,
    ("PUT", "/api/v1/account/reminder"): PATIENTS,
    ("GET", "/patient"): PATIENTS,
    ("POST", "/checkins"): PATIENTS,
    ("GET", "/gad7"): PATIENTS,
    ("POST", "/gad7"): PATIENTS,
    ("GET", "/progress"): PATIENTS,
    ("GET", "/progress/export"): PATIENTS,
    ("GET", "/support"): PATIENTS,
    ("GET", "/practice/assigned"): PATIENTS,
    ("GET", "/practice/log"): PATIENTS,
    ("POST", "/practice/log"): PATIENTS,
    ("POST", "/practice/start"): PATIENTS,
    ("POST", "/practice/{practice_id:int}/after"): OWN_PRACTICE,
    ("GET", "/api/v1/checkins"): PATIENTS,
    ("POST", "/api/v1/checkins"): PATIENTS,
    ("GET", "/api/v1/gad7"): PATIENTS,
    ("POST", "/api/v1/gad7"): PATIENTS,
    ("GET", "/api/v1/me/assignments"): PATIENTS,
    ("GET", "/api/v1/me/plan"): PATIENTS,
    ("GET", "/api/v1/me/streak"): PATIENTS,
    ("GET", "/api/v1/me/fhir"): PATIENTS,
    ("GET", "/api/v1/me/collections"): PATIENTS,
    ("POST", "/collections/{collection_id:int}/follow"): FOLLOWS,
    ("POST", "/collections/{collection_id:int}/unfollow"): FOLLOWS,
    ("PUT", "/api/v1/collections/{collection_id:int}/follow"): FOLLOWS,
    ("DELETE", "/api/v1/collections/{collection_id:int}/follow"): FOLLOWS,
    ("GET", "/api/v1/practice"): PATIENTS,
    ("POST", "/api/v1/practice"): PATIENTS,
    ("POST", "/api/v1/practice/playback"): PATIENTS,
    ("POST", "/api/v1/practice/{practice_id:int}/progress"): OWN_PRACTICE,
    ("POST", "/api/v1/practice/{practice_id:int}/rating"): OWN_PRACTICE,
    ("GET", "/api/v1/suggestions"): PATIENTS,
    # A patient's own Saved list.
    ("POST", "/sessions/{session_id:int}/save"): SAVED_LIST,
    ("POST", "/sessions/{session_id:int}/unsave"): SAVED_LIST,
    ("GET", "/api/v1/me/saved"): PATIENTS,
    ("PUT", "/api/v1/me/saved/{session_id:int}"): SAVED_LIST,
    ("DELETE", "/api/v1/me/saved/{session_id:int}"): SAVED_LIST,
    # A therapist's caseload, and their choice of alert e-mails about it.
    ("POST", "/account/alert-emails"): THERAPISTS,
    ("GET", "/therapist"): THERAPISTS,
    ("POST", "/therapist"): THERAPISTS,
    ("GET", "/api/v1/alerts"): THERAPISTS,
    ("POST", "/care/alerts/{alert_id:int}/acknowledge"): CARE_LOADED,
    ("POST", "/api/v1/alerts/{alert_id:int}/acknowledge"): CARE_LOADED,
    ("GET", "/care/patients/{patient_id:int}"): CARE_LOADED,
    ("GET", "/api/v1/patients/{patient_id:int}"): CARE_LOADED,
    ("GET", "/care/patients/{patient_id:int}/attest"): CARE_GUARDED,
    ("POST", "/care/patients/{patient_id:int}/attest"): CARE_GUARDED,
    ("POST", "/api/v1/patients/{patient_id:int}/practice"): CARE_GUARDED,
    ("GET", "/care/attendance"): THERAPISTS,
    ("POST", "/care/attendance"): CARE_GROUP,
    ("POST", "/api/v1/attendance"): CARE_GROUP,
    ("GET", "/care/patients/{patient_id:int}/assignments"): CARE_GUARDED,
    ("POST", "/care/patients/{patient_id:int}/assignments"): CARE_GUARDED,
    ("GET", "/care/patients/{patient_id:int}/assignments/new"): CARE_GUARDED,
    ("GET", "/api/v1/patients/{patient_id:int}/assignments"): CARE_GUARDED,
    ("POST", "/api/v1/patients/{patient_id:int}/assignments"): CARE_GUARDED,
    ("GET", "/care/assignments/{assignment_id:int}/edit"): CARE_GUARDED,
    ("POST", "/care/assignments/{assignment_id:int}/edit"): CARE_GUARDED,
    ("POST", "/care/assignments/{assignment_id:int}/end"): CARE_GUARDED,
    ("POST", "/care/assignments/{assignment_id:int}/pause"): CARE_GUARDED,
    ("POST", "/care/assignments/{assignment_id:int}/resume"): CARE_GUARDED,
    ("PATCH", "/api/v1/assignments/{assignment_id:int}"): CARE_GUARDED,
    ("GET", "/care/patients/{patient_id:int}/restrictions"): CARE_LOADED,
    ("POST", "/care/patients/{patient_id:int}/restrictions/contraindications"): CARE_LOADED,
    ("POST", "/care/patients/{patient_id:int}/restrictions/overrides"): CARE_LOADED,
    (
        "POST",
        "/care/patients/{patient_id:int}/restrictions/overrides/{session_id:int}/remove",
    ): CARE_LOADED,
    ("GET", "/api/v1/patients/{patient_id:int}/contraindications"): CARE_LOADED,
    ("PUT", "/api/v1/patients/{patient_id:int}/contraindications"): CARE_LOADED,
    ("GET", "/api/v1/patients/{patient_id:int}/overrides"): CARE_LOADED,
    ("POST", "/api/v1/patients/{patient_id:int}/overrides"): CARE_LOADED,
    ("DELETE", "/api/v1/patients/{patient_id:int}/overrides/{session_id:int}"): CARE_LOADED,
    # Clinician notes (the therapist's own note: its author may add to it), the report and the
    # FHIR export.
    ("POST", "/care/patients/{patient_id:int}/notes"): CARE_LOADED,
    ("POST", "/care/patients/{patient_id:int}/notes/{note_id:int}/addenda"): CARE_LOADED,
    ("GET", "/api/v1/patients/{patient_id:int}/notes"): CARE_LOADED,
    ("POST", "/api/v1/patients/{patient_id:int}/notes"): CARE_LOADED,
    ("POST", "/api/v1/patients/{patient_id:int}/notes/{note_id:int}/addenda"): CARE_LOADED,
    ("GET", "/care/patients/{patient_id:int}/report"): CARE_LOADED,
    ("GET", "/api/v1/patients/{patient_id:int}/fhir"): CARE_LOADED,
    # The catalog's editors (any session or media: the draft is used).
    ("GET", "/coordinator"): COORDINATORS,
    ("GET", "/library/upload"): COORDINATORS,
    ("POST", "/library/media"): COORDINATORS,
    ("GET", "/library/sessions/new"): COORDINATORS,
    ("POST", "/library/sessions/new"): COORDINATORS,
    ("GET", "/library/sessions/{session_id:int}/edit"): COORDINATORS,
    ("POST", "/library/sessions/{session_id:int}/edit"): COORDINATORS,
    ("POST", "/library/sessions/{session_id:int}/media"): COORDINATORS,
    ("POST", "/library/sessions/{session_id:int}/publish"): COORDINATORS,
    ("POST", "/library/sessions/{session_id:int}/archive"): COORDINATORS,
    # Deleting the draft (never published, nothing refers to it), or the spare upload.
    ("POST", "/library/sessions/{session_id:int}/delete"): COORDINATORS,
    ("POST", "/library/media/{asset_id:int}/delete"): UNUSED_MEDIA,
    ("POST", "/api/v1/media"): COORDINATORS,
    ("GET", "/api/v1/media/{asset_id:int}"): COORDINATORS,
    ("DELETE", "/api/v1/media/{asset_id:int}"): UNUSED_MEDIA,
    ("POST", "/api/v1/sessions"): COORDINATORS,
    ("PATCH", "/api/v1/sessions/{session_id:int}"): COORDINATORS,
    ("DELETE", "/api/v1/sessions/{session_id:int}"): COORDINATORS,
    ("POST", "/api/v1/sessions/{session_id:int}/publish"): COORDINATORS,
    ("POST", "/api/v1/sessions/{session_id:int}/archive"): COORDINATORS,
    # Collections' editors (any collection: the draft is used).
    ("GET", "/library/collections/new"): COORDINATORS,
    ("POST", "/library/collections/new"): COORDINATORS,
    ("GET", "/library/collections/{collection_id:int}/edit"): COORDINATORS,
    ("POST", "/library/collections/{collection_id:int}/edit"): COORDINATORS,
    ("POST", "/library/collections/{collection_id:int}/publish"): COORDINATORS,
    ("POST", "/library/collections/{collection_id:int}/archive"): COORDINATORS,
    ("POST", "/library/collections/{collection_id:int}/delete"): COORDINATORS,
    ("POST", "/api/v1/collections"): COORDINATORS,
    ("PATCH", "/api/v1/collections/{collection_id:int}"): COORDINATORS,
    ("DELETE", "/api/v1/collections/{collection_id:int}"): COORDINATORS,
    ("POST", "/api/v1/collections/{collection_id:int}/publish"): COORDINATORS,
    ("POST", "/api/v1/collections/{collection_id:int}/archive"): COORDINATORS,
    ("GET", "/library/usage"): USAGE_READERS,
    ("GET", "/library/usage.csv"): USAGE_READERS,
    ("GET", "/api/v1/library/usage"): USAGE_READERS,
    # Accounts and the audit trail (any account: `patient`'s is used).
    ("GET", "/admin"): ADMINS,
    ("GET", "/admin/audit"): ADMINS,
    ("POST", "/admin/audit"): ADMINS,
    ("GET", "/admin/audit.csv"): ADMINS,
    ("GET", "/admin/users"): ADMINS,
    ("POST", "/admin/users"): ADMINS,
    ("GET", "/admin/users/new"): ADMINS,
    ("POST", "/admin/users/new"): ADMINS,
    ("GET", "/admin/users/{user_id:int}"): ADMINS,
    ("POST", "/admin/users/{user_id:int}/details"): ADMINS,
    ("POST", "/admin/users/{user_id:int}/role"): ADMINS,
    ("POST", "/admin/users/{user_id:int}/active"): ADMINS,
    ("POST", "/admin/users/{user_id:int}/password"): ADMINS,
    ("POST", "/admin/users/{user_id:int}/invitation"): INVITING_ADMINS,
    ("POST", "/admin/users/{user_id:int}/care-team"): ADMINS,
    ("POST", "/admin/users/{user_id:int}/care-team/{therapist_id:int}/remove"): ADMINS,
    ("GET", "/api/v1/users"): ADMINS,
    ("POST", "/api/v1/users"): ADMINS,
    ("POST", "/api/v1/users/search"): ADMINS,
    ("GET", "/api/v1/users/{user_id:int}"): ADMINS,
    ("PATCH", "/api/v1/users/{user_id:int}"): ADMINS,
    ("PUT", "/api/v1/users/{user_id:int}/role"): ADMINS,
    ("PUT", "/api/v1/users/{user_id:int}/active"): ADMINS,
    ("PUT", "/api/v1/users/{user_id:int}/password"): ADMINS,
    ("POST", "/api/v1/users/{user_id:int}/invitation"): INVITING_ADMINS,
    ("PUT", "/api/v1/users/{user_id:int}/care-team/{therapist_id:int}"): ADMINS,
    ("DELETE", "/api/v1/users/{user_id:int}/care-team/{therapist_id:int}"): ADMINS,
}

# What each write sends: a body the route would accept from an insider, so a refusal is the
# route's access check and not a bad request. {THERAPIST}, {SESSION} and {STARTED_AT} are filled
# from the world. Uploads (UPLOADS) send a file besides.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/account/streaks"): {"hide": "true"},
    ("POST", "/account/reminder"): {
        "reminder": "on",
        "reminder_time": "18:30",
        "reminder_days": ["mon", "fri"],
    },
    ("PUT", "/api/v1/account/reminder"): {
        "enabled": True,
        "time": "18:30",
        "weekdays": ["mon", "fri"],
    },
    ("POST", "/account/alert-emails"): {"emails": "off"},
    ("POST", "/checkins"): {"level": "4", "note": "calm enough"},
    ("POST", "/gad7"): {f"q{index}": "1" for index in range(7)},
    ("POST", "/practice/log"): {
        "kind": "yoga",
        "minutes": "30",
        "started_at": "{LOCAL_STARTED_AT}",
        "note": "group",
    },
    ("POST", "/practice/start"): {"session_id": "{SESSION}"},
    ("POST", "/sessions/{session_id:int}/save"): {"back": "/sessions"},
    ("POST", "/sessions/{session_id:int}/unsave"): {"back": "/sessions"},
    ("PUT", "/api/v1/me/saved/{session_id:int}"): {},
    ("DELETE", "/api/v1/me/saved/{session_id:int}"): {},
    ("POST", "/practice/{practice_id:int}/after"): {"anxiety_after": "2"},
    ("POST", "/api/v1/checkins"): {"level": 4, "note": "calm enough"},
    ("POST", "/api/v1/gad7"): {"answers": [1, 1, 1, 1, 1, 1, 1]},
    ("POST", "/api/v1/practice"): {
        "started_at": "{STARTED_AT}",
        "listened_seconds": 600,
        "kind": "yoga",
        "completed": True,
    },
    ("POST", "/api/v1/practice/playback"): {"session_id": "{SESSION}"},
    ("POST", "/api/v1/practice/{practice_id:int}/progress"): {"listened_seconds": 30},
    ("POST", "/api/v1/practice/{practice_id:int}/rating"): {"anxiety_after": 2},
    ("POST", "/therapist"): {"q": "alice"},
    ("POST", "/care/alerts/{alert_id:int}/acknowledge"): {"note": "Called her."},
    ("POST", "/api/v1/alerts/{alert_id:int}/acknowledge"): {"note": "Called her."},
    ("POST", "/care/patients/{patient_id:int}/attest"): {
        "kind": "yoga",
        "minutes": "45",
        "started_at": "{LOCAL_STARTED_AT}",
        "note": "Tuesday group",
    },
    ("POST", "/api/v1/patients/{patient_id:int}/practice"): {
        "kind": "yoga",
        "minutes": 45,
        "started_at": "{STARTED_AT}",
    },
    ("POST", "/care/attendance"): {
        "kind": "yoga",
        "minutes": "45",
        "started_at": "{LOCAL_STARTED_AT}",
        "note": "Tuesday group",
        "patient_ids": ["{PATIENT}"],
    },
    ("POST", "/api/v1/attendance"): {
        "patient_ids": ["{PATIENT}"],
        "kind": "yoga",
        "minutes": 45,
        "started_at": "{STARTED_AT}",
    },
    ("POST", "/care/patients/{patient_id:int}/assignments"): {
        "target": "kind",
        "kind": "breathing",
        "min_minutes": "5",
        "max_minutes": "10",
        "frequency": "daily",
        "note": "Breathe out slowly.",
    },
    ("POST", "/api/v1/patients/{patient_id:int}/assignments"): {
        "kind": "yoga",
        "min_minutes": 20,
        "max_minutes": 40,
    },
    ("POST", "/care/assignments/{assignment_id:int}/edit"): {
        "target": "kind",
        "kind": "breathing",
        "min_minutes": "5",
        "max_minutes": "20",
        "frequency": "daily",
        "note": "Longer now.",
    },
    ("POST", "/care/assignments/{assignment_id:int}/end"): {},
    ("POST", "/care/assignments/{assignment_id:int}/pause"): {},
    ("POST", "/care/assignments/{assignment_id:int}/resume"): {},
    ("PATCH", "/api/v1/assignments/{assignment_id:int}"): {"action": "pause"},
    ("POST", "/care/patients/{patient_id:int}/restrictions/contraindications"): {
        "contraindications": ["vigorous"]
    },
    ("POST", "/care/patients/{patient_id:int}/restrictions/overrides"): {
        "kind": "pin",
        "session_id": "{SESSION}",
    },
    ("POST", "/care/patients/{patient_id:int}/restrictions/overrides/{session_id:int}/remove"): {},
    ("PUT", "/api/v1/patients/{patient_id:int}/contraindications"): {"contraindications": []},
    ("POST", "/api/v1/patients/{patient_id:int}/overrides"): {
        "session_id": "{SESSION}",
        "kind": "pin",
    },
    ("DELETE", "/api/v1/patients/{patient_id:int}/overrides/{session_id:int}"): {},
    ("POST", "/care/patients/{patient_id:int}/notes"): {
        "kind": "phone_call",
        "contact_date": "{LOCAL_DATE}",
        "text": "Phoned about the weekend.",
    },
    ("POST", "/care/patients/{patient_id:int}/notes/{note_id:int}/addenda"): {
        "text": "She called back."
    },
    ("POST", "/api/v1/patients/{patient_id:int}/notes"): {
        "kind": "phone_call",
        "text": "Phoned about the weekend.",
    },
    ("POST", "/api/v1/patients/{patient_id:int}/notes/{note_id:int}/addenda"): {
        "text": "She called back."
    },
    ("POST", "/library/media"): {},
    ("POST", "/library/sessions/new"): {"title": "Longer exhale", "kind": "breathing"},
    ("POST", "/library/sessions/{session_id:int}/edit"): {
        "title": "Renamed",
        "kind": "breathing",
    },
    ("POST", "/library/sessions/{session_id:int}/media"): {},
    ("POST", "/library/sessions/{session_id:int}/publish"): {},
    ("POST", "/library/sessions/{session_id:int}/archive"): {},
    ("POST", "/library/sessions/{session_id:int}/delete"): {"delete_media": "yes"},
    ("POST", "/library/media/{asset_id:int}/delete"): {},
    ("POST", "/api/v1/media"): {},
    ("DELETE", "/api/v1/media/{asset_id:int}"): {},
    ("POST", "/api/v1/sessions"): {"title": "Longer exhale", "kind": "breathing"},
    ("PATCH", "/api/v1/sessions/{session_id:int}"): {"title": "Renamed"},
    ("DELETE", "/api/v1/sessions/{session_id:int}"): {},
    ("POST", "/api/v1/sessions/{session_id:int}/publish"): {},
    ("POST", "/api/v1/sessions/{session_id:int}/archive"): {},
    ("POST", "/library/collections/new"): {
        "title": "Evening wind-down",
        "session_ids": ["{SESSION}"],
        "edit": "save",
    },
    ("POST", "/library/collections/{collection_id:int}/edit"): {
        "title": "Renamed",
        "session_ids": ["{SESSION}"],
        "edit": "save",
    },
    ("POST", "/library/collections/{collection_id:int}/publish"): {},
    ("POST", "/library/collections/{collection_id:int}/archive"): {},
    ("POST", "/library/collections/{collection_id:int}/delete"): {},
    ("POST", "/api/v1/collections"): {"title": "Evening", "session_ids": ["{SESSION}"]},
    ("PATCH", "/api/v1/collections/{collection_id:int}"): {"title": "Renamed"},
    ("DELETE", "/api/v1/collections/{collection_id:int}"): {},
    ("POST", "/api/v1/collections/{collection_id:int}/publish"): {},
    ("POST", "/api/v1/collections/{collection_id:int}/archive"): {},
    ("POST", "/collections/{collection_id:int}/follow"): {},
    ("POST", "/collections/{collection_id:int}/unfollow"): {"return_to": "home"},
    ("PUT", "/api/v1/collections/{collection_id:int}/follow"): {},
    ("DELETE", "/api/v1/collections/{collection_id:int}/follow"): {},
    ("POST", "/reviews/drafts/{session_id:int}"): {
        "decision": "changes_requested",
        "comment": "Marker-77aa holds are unsafe",
    },
    ("POST", "/api/v1/sessions/{session_id:int}/reviews"): {"decision": "approved"},
    ("POST", "/admin/audit"): {"action": "access_denied"},
    ("POST", "/admin/users"): {"q": "alice"},
    ("POST", "/admin/users/new"): {
        "email": "nova@example.org",
        "display_name": "Nova Patient",
        "role": "patient",
        "time_zone": "Europe/Berlin",
        "setup": "password",  # the world sends e-mail, so the form offers an invitation too
        "password": "a long enough passphrase",
    },
    ("POST", "/admin/users/{user_id:int}/details"): {
        "display_name": "Renamed Person",
        "email": "renamed@example.org",
    },
    ("POST", "/admin/users/{user_id:int}/role"): {"role": "therapist"},
    ("POST", "/admin/users/{user_id:int}/active"): {"active": "false"},
    ("POST", "/admin/users/{user_id:int}/password"): {"password": "another long passphrase"},
    ("POST", "/admin/users/{user_id:int}/invitation"): {},
    ("POST", "/admin/users/{user_id:int}/care-team"): {"therapist_id": "{OTHER_THERAPIST}"},
    ("POST", "/admin/users/{user_id:int}/care-team/{therapist_id:int}/remove"): {},
    ("POST", "/api/v1/users"): {
        "email": "nova@example.org",
        "display_name": "Nova Patient",
        "role": "patient",
        "password": "a long enough passphrase",
        "therapist_id": "{OTHER_THERAPIST}",
    },
    ("POST", "/api/v1/users/search"): {"q": "alice"},
    ("PATCH", "/api/v1/users/{user_id:int}"): {"display_name": "Renamed Person"},
    ("PUT", "/api/v1/users/{user_id:int}/role"): {"role": "therapist"},
    ("PUT", "/api/v1/users/{user_id:int}/active"): {"active": False},
    ("PUT", "/api/v1/users/{user_id:int}/password"): {"password": "another long passphrase"},
    ("POST", "/api/v1/users/{user_id:int}/invitation"): {},
    ("PUT", "/api/v1/users/{user_id:int}/care-team/{therapist_id:int}"): {},
    ("DELETE", "/api/v1/users/{user_id:int}/care-team/{therapist_id:int}"): {},
}
UPLOADS = {
    ("POST", "/library/media"),
    ("POST", "/library/sessions/{session_id:int}/media"),
    ("POST", "/api/v1/media"),
}
BERLIN = ZoneInfo("Europe/Berlin")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PARAMETER = re.compile(r"\{(?P<name>[^}:]+)(?::[^}]*)?\}")
# Not compared: the audit trail records every refusal by design (`access_denied`,
# `not_found_for_viewer`); it is checked to have only gained rows. Sessions and sign-in
# throttles live in the app's stores (memory here), not in tables.
APPEND_ONLY = "audit_events"
# Whose names a therapist may see in an answer: their own patients'.
OWN_CASELOAD = {"therapist": {"patient"}, "other_therapist": {"other_patient"}}

# Unique strings in each persona's data: nobody else's may appear in an answer to an outsider.
PATIENT_NOTE = "Marker-7f3a panic on the tram"
PRACTICE_NOTE = "Marker-91bc yoga after the relapse"
ASSIGNMENT_NOTE = "Marker-c4d2 breathe before calling your sponsor"
OTHER_PATIENT_NOTE = "Marker-e85f insomnia again"
CLINICIAN_NOTE = "Marker-3c8e worried about the taper schedule"
DRAFT_TITLE = "Marker-2b6e unreleased withdrawal session"
DRAFT_COLLECTION = "Marker-6c1d unreleased taper programme"
REVIEW_NOTE = "Marker-3c8d holds unsafe in withdrawal"
DRAFT_FILENAME = "marker-5d17-withdrawal.flac"
SPARE_FILENAME = "marker-a4c9-spare-take.flac"


def outsider_cases() -> list[Any]:
    """(method, path, persona, the answer expected) for every outsider of every route."""
    cases = []
    for (method, path), access in sorted(ACCESS.items()):
        if access.public:
            continue
        for key, persona in SIGNED_IN.items():
            if persona.role not in access.roles:
                refusal = access.refusal
            elif (access.whose, key) in {
                (Whose.PATIENTS_OWN, "other_patient"),
                (Whose.CASELOAD, "other_therapist"),
                (Whose.CASELOAD, FORMER_THERAPIST.key),
            }:
                refusal = 404
            elif (access.whose, key) in {
                (Whose.CASELOAD_IN_BODY, "other_therapist"),
                (Whose.CASELOAD_IN_BODY, FORMER_THERAPIST.key),
            }:
                refusal = 422
            else:
                continue
            cases.append(pytest.param(method, path, key, refusal, id=f"{method} {path} by {key}"))
    return cases


@dataclass(frozen=True)
class Seeded:
    """A seeded world at rest: its database and media, and what the tests need to know of it."""

    settings: Settings
    ids: dict[str, str]  # path parameter -> a real id of someone else's record
    fill: dict[str, Any]  # body placeholder -> value
    markers: dict[str, list[str]]  # persona -> strings only their data holds

    @property
    def media_dir(self) -> Path:
        return self.settings.media_dir

    def ids_for(self, access: Access) -> dict[str, str]:
        """The records a route names: a care team's `{session_id}` is the patient's banned
        session (its ban is what the route lifts), anyone else's the draft; a deletion's
        `{asset_id}` the spare upload (no session plays it), anyone else's the draft's media;
        a following's `{collection_id}` the published collection; a Saved list's `{session_id}`
        the published session, which patients may save; an invitation's `{user_id}` the account
        invited by e-mail."""
        if access.whose is Whose.PUBLISHED_COLLECTION:
            return {**self.ids, "collection_id": self.ids["published_collection_id"]}
        if access.whose in (Whose.CASELOAD, Whose.LIBRARY_SESSION):
            return {**self.ids, "session_id": str(self.fill["{SESSION}"])}
        if access.whose is Whose.UNUSED_MEDIA:
            return {**self.ids, "asset_id": self.ids["spare_asset_id"]}
        if access.whose is Whose.INVITED_ACCOUNT:
            return {**self.ids, "user_id": self.ids["invited_user_id"]}
        return self.ids


@dataclass
class World:
    """A seeded world served by an app, with the cookies of the personas signed in to it."""

    client: Client
    seeded: Seeded
    jars: dict[str, httpx.Cookies]

    def act_as(self, key: str) -> Client:
        self.client.cookies = httpx.Cookies(self.jars[key])
        return self.client


@contextmanager
def serving(
    settings: Settings, personas: Iterable[str]
) -> Iterator[tuple[Client, dict[str, httpx.Cookies]]]:
    """An app on `settings`, and the cookies of each persona in `personas`, signed in to it.
    E-mail is set up (to a port where nothing listens: nothing in the world is due to be sent),
    so routes that need it, such as the practice reminder's, act for insiders."""
    mailing = settings.replace(mail=mail_settings(free_port()))
    with Client(create_app(mailing, clock=FixedClock(TEST_NOW)), base_url=BASE_URL) as client:
        jars = {}
        for key in personas:
            client.login_as(SIGNED_IN[key])
            client.csrf_token()
            jars[key] = httpx.Cookies(client.cookies)
        yield client, jars


def api(client: Client, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
    headers = {"x-csrftoken": client.csrf_token(), "idempotency-key": uuid4().hex}
    response = client.request(method, path, json=body, headers=headers, **kwargs)
    assert response.status_code < 300, (method, path, response.status_code, response.text)
    return response.json()


def upload(client: Client, directory: Path, name: str, cover: bytes) -> int:
    flac = with_tags(make_flac(directory, 1.0, name=name), container="flac", cover=cover)
    files = {"file": (name, flac.read_bytes(), "audio/flac")}
    return int(api(client, "POST", "/api/v1/media", files=files)["id"])


def seed(directory: Path, database_url: str) -> Seeded:
    """The world, written through the app's own API by whoever may write each part of it."""
    settings = settings_for(directory, database_url)
    with serving(settings, []) as (client, _):
        personas = client.run(lambda: create_personas(TEST_NOW))
        former = client.run(
            lambda: accounts.create_user(
                email=FORMER_THERAPIST.email,
                display_name=FORMER_THERAPIST.display_name,
                role=FORMER_THERAPIST.role,
                time_zone=FORMER_THERAPIST.time_zone,
                password_hash=persona_password_hash(),
            )
        )

    with serving(settings, SIGNED_IN) as (client, jars):
        world = World(client, Seeded(settings, {}, {}, {}), jars)
        coordinator = world.act_as("coordinator")
        uploads = directory / "uploads"
        published_asset = upload(coordinator, uploads, "calm.flac", png_bytes(8, 8))
        draft_asset = upload(coordinator, uploads, DRAFT_FILENAME, png_bytes(9, 9))
        spare_asset = upload(coordinator, uploads, SPARE_FILENAME, png_bytes(10, 10))
        session = {"kind": "breathing", "title": "Calm", "primary_asset_id": published_asset}
        published = api(coordinator, "POST", "/api/v1/sessions", session)["id"]
        api(coordinator, "POST", f"/api/v1/sessions/{published}/publish")
        draft = {"kind": "breathing", "title": DRAFT_TITLE, "primary_asset_id": draft_asset}
        draft_id = api(coordinator, "POST", "/api/v1/sessions", draft)["id"]
        reviewed = {"kind": "breathing", "title": "Holds", "primary_asset_id": published_asset}
        reviewed_id = api(coordinator, "POST", "/api/v1/sessions", reviewed)["id"]
        programme = {"title": DRAFT_COLLECTION, "session_ids": [published]}
        collection_id = api(coordinator, "POST", "/api/v1/collections", programme)["id"]
        week = {"title": "Calm week", "session_ids": [published]}
        published_collection = api(coordinator, "POST", "/api/v1/collections", week)["id"]
        api(coordinator, "POST", f"/api/v1/collections/{published_collection}/publish")

        patient = world.act_as("patient")
        api(patient, "PUT", f"/api/v1/collections/{published_collection}/follow")
        api(patient, "POST", "/api/v1/checkins", {"level": 9, "note": PATIENT_NOTE})
        api(patient, "POST", "/api/v1/gad7", {"answers": [2, 2, 2, 2, 2, 2, 2]})
        played = api(patient, "POST", "/api/v1/practice/playback", {"session_id": published})
        api(patient, "PUT", f"/api/v1/me/saved/{published}")
        started_at = (TEST_NOW - timedelta(hours=3)).isoformat()
        logged = {"started_at": started_at, "listened_seconds": 1800, "kind": "yoga"}
        api(patient, "POST", "/api/v1/practice", {**logged, "note": PRACTICE_NOTE})
        assert patient.get("/patient").status_code == 200  # logs the suggestions it shows

        other_patient = world.act_as("other_patient")
        api(other_patient, "POST", "/api/v1/checkins", {"level": 3, "note": OTHER_PATIENT_NOTE})

        patient_id = personas["patient"].id
        # The former member acts while on the care team, then an admin takes them off it.
        admin = world.act_as("admin")
        care_team = f"/admin/users/{patient_id}/care-team"
        joined = admin.submit(care_team, {"therapist_id": str(former.id)})
        assert joined.status_code == 303, joined.text
        former_member = world.act_as(FORMER_THERAPIST.key)
        assert former_member.get(f"/care/patients/{patient_id}").status_code == 200
        left = world.act_as("admin").submit(f"{care_team}/{former.id}/remove")
        assert left.status_code == 303, left.text
        newcomer = {
            "email": "invited@example.org",
            "display_name": "Ivy Invited",
            "role": "patient",
        }
        invited = api(world.act_as("admin"), "POST", "/api/v1/users", {**newcomer, "invite": True})

        therapist = world.act_as("therapist")
        caseload = f"/api/v1/patients/{patient_id}"
        assigned = {"kind": "breathing", "min_minutes": 5, "max_minutes": 10}
        assignment = api(
            therapist, "POST", f"{caseload}/assignments", {**assigned, "note": ASSIGNMENT_NOTE}
        )
        api(therapist, "PUT", f"{caseload}/contraindications", {"contraindications": ["vigorous"]})
        api(therapist, "POST", f"{caseload}/overrides", {"session_id": published, "kind": "ban"})
        note = api(
            therapist, "POST", f"{caseload}/notes", {"kind": "session", "text": CLINICIAN_NOTE}
        )
        # Of a draft of its own: a reviewed draft is archived, not deleted, and the draft the
        # routes name must stay one its coordinator may delete.
        review = {"decision": "changes_requested", "comment": REVIEW_NOTE}
        api(therapist, "POST", f"/api/v1/sessions/{reviewed_id}/reviews", review)

        async def stored() -> tuple[int, str]:
            alert = await Alert.get(patient_id=patient_id)
            asset = await MediaAsset.get(id=draft_asset)
            return alert.id, f"{asset.cover_sha256}.png"

        alert_id, draft_cover = client.run(stored)

    ids = {
        "patient_id": str(patient_id),
        "alert_id": str(alert_id),
        "assignment_id": str(assignment["id"]),
        "practice_id": str(played["practice"]["id"]),
        "note_id": str(note["id"]),
        "user_id": str(patient_id),
        "therapist_id": str(personas["therapist"].id),
        "asset_id": str(draft_asset),
        "spare_asset_id": str(spare_asset),
        "invited_user_id": str(invited["id"]),
        "key": draft_cover,
        "session_id": str(draft_id),
        "collection_id": str(collection_id),
        "published_collection_id": str(published_collection),
    }
    local_start = TEST_NOW - timedelta(hours=3)
    fill = {
        "{SESSION}": published,
        "{STARTED_AT}": started_at,
        # As a patient or a therapist in Berlin types it into a form.
        "{LOCAL_STARTED_AT}": local_start.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M"),
        "{LOCAL_DATE}": TEST_NOW.astimezone(BERLIN).date().isoformat(),
        "{OTHER_THERAPIST}": personas["other_therapist"].id,
        "{PATIENT}": patient_id,
    }
    markers = {key: [persona.display_name, persona.email] for key, persona in SIGNED_IN.items()}
    markers["patient"] += [PATIENT_NOTE, PRACTICE_NOTE, ASSIGNMENT_NOTE, CLINICIAN_NOTE]
    markers["therapist"].append(REVIEW_NOTE)
    markers["other_patient"].append(OTHER_PATIENT_NOTE)
    markers["coordinator"] += [DRAFT_TITLE, DRAFT_FILENAME, SPARE_FILENAME, DRAFT_COLLECTION]
    return Seeded(settings, ids, fill, markers)


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("outsiders")
    seeded = seed(directory, fresh_database_url(directory, request))
    with serving(seeded.settings, SIGNED_IN) as (client, jars):
        yield World(client, seeded, jars)


def snapshot(world: World) -> dict[str, Any]:
    """Every row of every table, and every stored media file's name and size."""

    async def read() -> dict[str, Any]:
        connection = connections.get("default")
        if connection.capabilities.dialect == "sqlite":
            query = (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        else:
            query = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        tables = [row["name"] for row in await connection.execute_query_dict(query)]
        state = {}
        for table in tables:
            # Table names come from the database's own catalogue.
            rows = await connection.execute_query_dict(f'SELECT * FROM "{table}"')  # noqa: S608
            state[table] = sorted(repr(sorted(row.items())) for row in rows)
        return state

    state = world.client.run(read)
    state["media files"] = sorted(
        (str(path.relative_to(world.seeded.media_dir)), path.stat().st_size)
        for path in world.seeded.media_dir.rglob("*")
        if path.is_file()
    )
    return state


def filled(value: Any, fill: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return fill.get(value, value)
    if isinstance(value, list):
        return [filled(item, fill) for item in value]
    if isinstance(value, dict):
        return {key: filled(item, fill) for key, item in value.items()}
    return value


def send(world: World, persona: str, method: str, path: str) -> httpx.Response:
    """The request a browser (pages) or an app (the API) would send, CSRF token included."""
    client = world.act_as(persona)
    token = client.csrf_token()
    ids = world.seeded.ids_for(ACCESS[method, path])
    url = PARAMETER.sub(lambda found: ids[found["name"]], path)
    body = filled(BODIES.get((method, path), {}), world.seeded.fill)
    headers = {"x-csrftoken": token}
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if (method, path) in UPLOADS:
        flac = make_flac(world.seeded.media_dir.parent / "uploads", 1.5, name="new.flac")
        kwargs["files"] = {"file": ("new.flac", flac.read_bytes(), "audio/flac")}
        kwargs["data"] = {"_csrf_token": token}
    elif path.startswith("/api/"):
        headers["idempotency-key"] = uuid4().hex
        if method in WRITES and method != "DELETE":
            kwargs["json"] = body
    elif method in WRITES:
        form = {
            key: value if isinstance(value, list) else str(value) for key, value in body.items()
        }
        kwargs["data"] = {"_csrf_token": token, **form}
    response = client.request(method, url, **kwargs)
    world.jars[persona] = httpx.Cookies(client.cookies)
    return response


def test_every_route_is_in_the_access_table(app: Litestar) -> None:
    assert sorted(ACCESS) == all_routes(app)


def test_every_write_with_outsiders_has_a_body() -> None:
    writes = {
        route
        for route, access in ACCESS.items()
        if route[0] in WRITES and access.roles != EVERY_ROLE
    }
    assert sorted(writes - BODIES.keys()) == []
    assert sorted(BODIES.keys() - writes) == []


@pytest.mark.parametrize(("method", "path", "persona", "refusal"), outsider_cases())
def test_outsiders_are_refused_and_change_nothing(
    world: World, method: str, path: str, persona: str, refusal: int
) -> None:
    before = snapshot(world)
    audit_before = before.pop(APPEND_ONLY)

    response = send(world, persona, method, path)

    assert response.status_code == refusal, response.text[:500]
    after = snapshot(world)
    audit_after = after.pop(APPEND_ONLY)
    assert after == before
    assert set(audit_before) <= set(audit_after)
    seen = [
        marker
        for owner, markers in world.seeded.markers.items()
        if owner != persona
        for marker in markers
        if marker.lower() in response.text.lower()
        and not (owner in OWN_CASELOAD.get(persona, ()) and marker == SIGNED_IN[owner].display_name)
    ]
    assert seen == []
