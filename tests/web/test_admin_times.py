"""Admin pages show times in the clinic's zone (WELLNESS_CLINIC_TIMEZONE), not the reader's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from litestar import Litestar

from tests.conftest import PERSONAS, Client
from wellness.accounts.models import User
from wellness.app import create_app
from wellness.audit import services as audit
from wellness.settings import Settings

# Late on 30 June in the Americas, early on 1 July in Europe and Asia.
SIGNED_IN = datetime(2026, 7, 1, 2, 15, tzinfo=UTC)
# Winter: New York is 5 hours behind UTC here but 4 in July.
CREATED = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
# The admin persona lives in Europe/Berlin: what the pages showed before.
VIEWER_ZONE_SIGN_IN = "1 Jul 2026, 04:15"


@dataclass(frozen=True)
class Clinic:
    zone: str
    signed_in: str
    created: str


CLINICS = [
    Clinic("Asia/Tokyo", "1 Jul 2026, 11:15", "15 Jan 2026, 21:00"),
    Clinic("America/New_York", "30 Jun 2026, 22:15", "15 Jan 2026, 07:00"),
    Clinic("UTC", "1 Jul 2026, 02:15", "15 Jan 2026, 12:00"),
]


@pytest.fixture(params=CLINICS, ids=[clinic.zone for clinic in CLINICS])
def clinic(request: pytest.FixtureRequest) -> Clinic:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def app(settings: Settings, clinic: Clinic) -> Litestar:
    return create_app(settings.replace(clinic_timezone=clinic.zone))


@pytest.fixture
def patient_times(as_admin: Client) -> User:
    """The patient's account with a known creation and last sign-in, and an audited reset."""

    async def set_times() -> User:
        patient = await User.get(email=PERSONAS["patient"].email)
        await User.filter(id=patient.id).update(created_at=CREATED, last_login_at=SIGNED_IN)
        await audit.record(
            "password_reset", now=SIGNED_IN, target_type="user", target_id=patient.id
        )
        return await User.get(id=patient.id)

    return as_admin.run(set_times)


def test_account_list_shows_last_sign_in_in_the_clinic_zone(
    as_admin: Client, patient_times: User, clinic: Clinic
) -> None:
    as_admin.submit("/admin/users", {"q": "alice"})
    page = as_admin.get("/admin/users")

    assert page.status_code == 200
    assert patient_times.last_login_at == SIGNED_IN
    assert clinic.signed_in in page.text
    assert f"Sign-in times in {clinic.zone}, the clinic's time zone." in page.text
    assert VIEWER_ZONE_SIGN_IN not in page.text


def test_account_detail_shows_created_and_last_sign_in_in_the_clinic_zone(
    as_admin: Client, patient_times: User, clinic: Clinic
) -> None:
    page = as_admin.get(f"/admin/users/{patient_times.id}")

    assert page.status_code == 200
    assert patient_times.created_at == CREATED
    assert f'{clinic.signed_in} <span class="muted">({clinic.zone}, clinic time)' in page.text
    assert f'{clinic.created} <span class="muted">({clinic.zone}, clinic time)' in page.text
    # The account's own zone is still shown as a detail of the account.
    assert f"<dd>{PERSONAS['patient'].time_zone}</dd>" in page.text
    assert VIEWER_ZONE_SIGN_IN not in page.text


def test_admin_overview_shows_recent_activity_in_the_clinic_zone(
    as_admin: Client, patient_times: User, clinic: Clinic
) -> None:
    page = as_admin.get("/admin")

    assert page.status_code == 200
    assert f"Times in {clinic.zone}, the clinic's time zone" in page.text
    assert f">{clinic.signed_in}</th>" in page.text
    assert VIEWER_ZONE_SIGN_IN not in page.text
