"""The simulated clinic of `api_clinic.py` set up as an outside simulation would have to.

1. An administrator account, made once with the CLI (`wellness users create`), as an operator
   would hand one to the simulation.
2. The catalog's published sessions, written through the ORM: through the API each would need
   a real audio file of its full length uploaded (a session's length is its media's), hundreds
   of megabytes a seed, and an outside simulation meets a catalog the clinic already has.
3. Through the JSON API: the administrator signs in and creates a therapist and every patient
   on the therapist's caseload (`POST /api/v1/users`); the therapist signs in and sets each
   patient's contraindications and bans (`/api/v1/patients/{id}/...`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from _server import bench_env, create_account
from litestar import Litestar
from litestar.testing import TestClient

from wellness.app import create_app
from wellness.catalog.kinds import Guidance, Kind, Level, Posture, Status
from wellness.catalog.models import MediaAsset, PracticeSession
from wellness.lib.clock import FixedClock
from wellness.settings import Settings, load_settings
from wellness.suggestions.inputs import SessionFacts
from wellness.suggestions.services.clinic import CLINIC_FITS
from wellness.suggestions.simulation.world import START, World

PASSWORD = "an api clinic patient's passphrase"
ADMIN_EMAIL = "admin@clinic.local"
THERAPIST_EMAIL = "therapist@clinic.local"
BASE_URL = "http://clinic.local"
SET_UP_AT = START - timedelta(days=1)
# The set-up's requests come a second apart by the app's clock, as a script's would, not
# hundreds within one minute of the request budget.
SET_UP_STEP = timedelta(seconds=1)


@dataclass
class Tally:
    """Requests sent, and those refused or failed ("POST /api/v1/users: 422")."""

    requests: int = 0
    refused: list[str] = field(default_factory=list)

    def send(self, client: TestClient[Litestar], method: str, path: str, **kwargs: Any) -> Any:
        """The answer's JSON, or None when refused (and named in `refused`)."""
        self.requests += 1
        response = client.request(method, path, **kwargs)
        if response.status_code >= 400:
            self.refused.append(f"{method} {path}: {response.status_code}")
            return None
        return response.json()


@dataclass(frozen=True)
class Stored:
    """The clinic as the app holds it: simulated patient index -> e-mail and account id,
    simulated session id <-> stored id."""

    emails: tuple[str, ...]
    patient_ids: tuple[int, ...]
    therapist_id: int
    stored_id: Mapping[int, int]
    simulated_id: Mapping[int, int]


@contextmanager
def open_clinic(
    world: World, database_url: str | None, clock: FixedClock, set_up: Tally
) -> Iterator[tuple[TestClient[Litestar], Settings, Stored | None]]:
    """The app in process on an empty database (None: a new SQLite file in a temporary folder)
    with `world`'s clinic set up; None in place of the clinic when a set-up request was refused
    (`set_up` names it)."""
    with tempfile.TemporaryDirectory(prefix="wellness-api-clinic-") as name:
        folder = Path(name)
        environment = clinic_environment(folder, database_url)
        create_account(bench_env(folder, **environment), ADMIN_EMAIL, "Admin", "admin", PASSWORD)
        settings = load_settings(environment).replace(memory_stores=True)
        CLINIC_FITS.forget()  # a fit of another seed's clinic must not serve this one
        with TestClient(create_app(settings, clock=clock), base_url=BASE_URL) as client:
            clock.set(SET_UP_AT)
            stored_id = client.blocking_portal.call(store_catalog, world)
            stored = set_up_cohort(client, clock, world, stored_id, set_up)
            yield client, settings, stored


def clinic_environment(workdir: Path, database_url: str | None) -> dict[str, str]:
    """The app's settings, as environment variables the CLI reads too."""
    return {
        "WELLNESS_DATA_DIR": str(workdir / "data"),
        "WELLNESS_MEDIA_DIR": str(workdir / "media"),
        "WELLNESS_DATABASE_URL": database_url or f"sqlite://{workdir / 'clinic.sqlite3'}",
        "WELLNESS_SECRET_KEY": "api-clinic-bench-secret-key-long-enough",
        "WELLNESS_AUTO_MIGRATE": "true",
        # A stay is weeks of the app's clock: the longest sign-in the settings allow, and
        # a new sign-in whenever it runs out (`api_clinic.drive`), as a real client would.
        "WELLNESS_PATIENT_IDLE_MINUTES": str(30 * 24 * 60),
        "WELLNESS_SESSION_LIFETIME_HOURS": str(30 * 24),
    }


def storable(session: SessionFacts) -> bool:
    known = (
        session.kind in {kind.value for kind in Kind}
        and session.minutes > 0
        and session.posture in {posture.value for posture in Posture}
        and session.guidance in {guidance.value for guidance in Guidance}
    )
    return known and (not session.level or session.level in {level.value for level in Level})


async def store_catalog(world: World) -> dict[int, int]:
    """The catalog's storable sessions as published ones: simulated id -> stored id."""
    stored_id: dict[int, int] = {}
    for session in world.catalog.sessions:
        if not storable(session):
            continue
        seconds = session.minutes * 60
        asset = await MediaAsset.create(
            sha256=f"{session.session_id:064x}",
            size_bytes=int(seconds * 16_000),
            container="mp3",
            mime_type="audio/mpeg",
            extension="mp3",
            duration_seconds=seconds,
            uploaded_at=SET_UP_AT,
        )
        stored = await PracticeSession.create(
            title=session.title,
            kind=Kind(session.kind),
            posture=Posture(session.posture),
            guidance=Guidance(session.guidance),
            level=Level(session.level) if session.level else Level.BEGINNER,
            contraindications=sorted(session.contraindications),
            anxiety_min=session.anxiety_min,
            anxiety_max=session.anxiety_max,
            status=Status.PUBLISHED,
            primary_asset=asset,
            duration_seconds=seconds,
            created_at=SET_UP_AT,
            updated_at=SET_UP_AT,
            published_at=SET_UP_AT,
        )
        stored_id[session.session_id] = int(stored.id)
    return stored_id


def set_up_cohort(
    client: TestClient[Litestar],
    clock: FixedClock,
    world: World,
    stored_id: Mapping[int, int],
    tally: Tally,
) -> Stored | None:
    """The therapist and the patients (the administrator), then each patient's
    contraindications and bans (the therapist), through the API; None at the first refusal."""

    def send(method: str, path: str, **kwargs: Any) -> Any:
        clock.advance(SET_UP_STEP)
        return tally.send(client, method, path, **kwargs)

    def sign_in(email: str) -> Any:
        client.cookies.clear()
        return send("POST", "/api/v1/auth/login", json={"email": email, "password": PASSWORD})

    if sign_in(ADMIN_EMAIL) is None:
        return None
    therapist = send("POST", "/api/v1/users", json=account(THERAPIST_EMAIL, "Therapist"))
    if therapist is None:
        return None
    emails, patient_ids = [], []
    for number in range(world.patients):
        email = f"patient.{number + 1}@clinic.local"
        patient = account(email, f"Patient {number + 1}", therapist_id=therapist["id"])
        created = send("POST", "/api/v1/users", json=patient)
        if created is None:
            return None
        emails.append(email)
        patient_ids.append(int(created["id"]))
    if sign_in(THERAPIST_EMAIL) is None:
        return None
    for number, patient_id in enumerate(patient_ids):
        restrictions = f"/api/v1/patients/{patient_id}"
        if codes := sorted(world.cohort.contraindications[number]):
            send("PUT", f"{restrictions}/contraindications", json={"contraindications": codes})
        for banned in sorted(world.cohort.banned[number]):
            if banned in stored_id:  # a malformed session is not stored, so not offered
                ban = {"session_id": stored_id[banned], "kind": "ban"}
                send("POST", f"{restrictions}/overrides", json=ban)
    client.cookies.clear()
    if tally.refused:
        return None
    simulated_id = {stored: simulated for simulated, stored in stored_id.items()}
    return Stored(tuple(emails), tuple(patient_ids), int(therapist["id"]), stored_id, simulated_id)


def account(email: str, name: str, *, therapist_id: int | None = None) -> dict[str, Any]:
    """`POST /api/v1/users`'s body: a patient when on a therapist's caseload, else a therapist."""
    role = "therapist" if therapist_id is None else "patient"
    body: dict[str, Any] = {
        "email": email,
        "display_name": name,
        "role": role,
        "password": PASSWORD,
    }
    if therapist_id is not None:
        body |= {"time_zone": "UTC", "therapist_id": therapist_id}  # the simulation's local time
    return body
