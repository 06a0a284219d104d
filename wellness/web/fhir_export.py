"""A patient's FHIR bundle over a period as a download, shared by the JSON API and the patient's
own progress page: the period read as the report reads it, the audit row, the file's headers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from litestar import Request, Response

from wellness.accounts.models import User
from wellness.caseload import report_period
from wellness.caseload.export import patient_bundle
from wellness.checkins import fhir
from wellness.settings import Settings
from wellness.web.auditing import record_for_patient

EXPORTED = "patient_data_exported"


def period_asked(
    patient: User, typed: Mapping[str, str | None], *, now: datetime
) -> tuple[report_period.Period | None, dict[str, str]]:
    """The period asked for in the patient's own days (the last 28 when nothing is given), or
    None and the problems by parameter (`from`, `to`)."""
    given = {key: value for key, value in typed.items() if value is not None}
    return report_period.parse(given, today=report_period.today_in(now, patient.time_zone))


async def bundle_download(
    request: Request[Any, Any, Any],
    patient: User,
    period: report_period.Period,
    *,
    settings: Settings,
    now: datetime,
) -> Response[bytes]:
    """The (already loaded and checked) patient's bundle over `period` as a file; audited with
    the period only."""
    base_url = settings.public_url or str(request.base_url).rstrip("/")
    found = await patient_bundle(patient, period, policy=settings.care, base_url=base_url, now=now)
    first, last = period.first.isoformat(), period.last.isoformat()
    await record_for_patient(
        request, EXPORTED, patient.id, detail=f"from={first};to={last}", now=now
    )
    name = f"wellness-patient-{patient.id}-{first}-to-{last}.fhir.json"
    return Response(
        fhir.encode(found),
        media_type=fhir.MEDIA_TYPE,
        headers={
            "cache-control": "no-store",
            "content-disposition": f'attachment; filename="{name}"',
        },
    )
