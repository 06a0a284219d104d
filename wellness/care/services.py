"""Care teams and safety alerts: who looks after whom, and what they must see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from wellness.accounts import permissions
from wellness.accounts import services as accounts
from wellness.accounts.filters import AccountFilter, AccountStatus
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care.models import Alert, CareTeamMember
from wellness.care.policy import AlertCause
from wellness.checkins import scoring
from wellness.db import CARE_TOKEN, KeyedCache, change_token, raw_query
from wellness.lib.validation import FieldError
from wellness.notifications import outbox


def _current_members() -> QuerySet[CareTeamMember]:
    return CareTeamMember.filter(ended_at__isnull=True)


async def assign(therapist: User, patient: User, *, now: datetime) -> bool:
    """Put a therapist on a patient's care team; False when they were already on it."""
    if therapist.role is not Role.THERAPIST:
        raise FieldError("therapist", f"{therapist.display_name} is not a therapist.")
    if patient.role is not Role.PATIENT:
        raise FieldError("patient", f"{patient.display_name} is not a patient.")
    if await _current_members().filter(therapist_id=therapist.id, patient_id=patient.id).exists():
        return False
    try:
        await CareTeamMember.create(
            therapist_id=therapist.id, patient_id=patient.id, started_at=now
        )
    except IntegrityError:  # added a moment ago by someone else (one current row, by index)
        return False
    return True


async def register_patient(account: accounts.NewAccount, therapist: User, *, now: datetime) -> User:
    """A new patient account, already on `therapist`'s caseload. Not one transaction: the
    password is hashed in between, and SQLite's one connection would wait on it. Should the
    second step fail, the patient exists without a therapist, which the admin pages flag."""
    if not (permissions.can_see_caseload(therapist.role) and therapist.is_active):
        raise FieldError("therapist", f"{therapist.display_name} is not an active therapist.")
    patient = await accounts.register(account)
    await assign(therapist, patient, now=now)
    return patient


async def unassign(therapist_id: int, patient_id: int, *, now: datetime) -> bool:
    """End a care-team membership; the row stays, with its end, as history."""
    current = _current_members().filter(therapist_id=therapist_id, patient_id=patient_id)
    return await current.update(ended_at=now) > 0


async def therapists_of(patient_id: int) -> list[User]:
    ids = _current_members().filter(patient_id=patient_id).values_list("therapist_id", flat=True)
    return await User.filter(id__in=await ids).order_by("display_name")


def _alert_readers() -> QuerySet[User]:
    # Who sees alerts: active therapists. A member demoted or deactivated stays on the team (and
    # regains the caseload if restored) but sees nothing meanwhile.
    readers = [role for role in Role if permissions.can_see_caseload(role)]
    return User.filter(role__in=readers, is_active=True)


async def sees_alerts(patient_id: int) -> bool:
    """Whether anyone would see this patient's alerts now: an active therapist on their team.
    A patient told "your care team will see this" must have one. The patient's home page asks
    on every view: kept under the care token, which every write to care teams and to a user's
    role or active flag renews (migration 0011), so a repeat view reads only the token."""
    token = await change_token(CARE_TOKEN)  # read before the data: see catalog/cache.py
    return await _kept_watch.kept_or(
        patient_id, token, lambda: _has_active_reader(patient_id), keep=token is not None
    )


# By patient, under the care token, which a write to anything `_has_active_reader` reads renews.
_kept_watch: KeyedCache[bool] = KeyedCache()


async def _has_active_reader(patient_id: int) -> bool:
    # One hand-written query: Tortoise's query building for the same EXISTS cost 1.2 CPU ms a
    # home page (bench/home.py).
    connection, sql = raw_query()
    readers = [role.value for role in Role if permissions.can_see_caseload(role)]
    _, rows = await connection.execute_query(
        "SELECT 1 FROM care_team_members m JOIN users u ON u.id = m.therapist_id "  # noqa: S608
        f"WHERE m.patient_id = {sql.param(patient_id)} AND m.ended_at IS NULL "
        f"AND u.is_active = {sql.param(True)} AND u.role IN ({sql.param_list(readers)}) LIMIT 1",
        sql.params,
    )
    return bool(rows)


async def open_alert_count_of(patient_id: int) -> int:
    """This patient's unacknowledged alerts."""
    return await Alert.filter(patient_id=patient_id, acknowledged_at=None).count()


@dataclass(frozen=True, slots=True)
class Unwatched:
    """An active patient whose alerts no one sees, and how many of theirs wait unseen."""

    patient: User
    open_alerts: int


def _unwatched() -> QuerySet[User]:
    """Active patients with no active therapist on their care team: their alerts reach no one
    until an administrator gives them a therapist. The one definition, for the admin overview
    (`unwatched_patients`) and the account list's "no therapist" filter (`list_accounts`)."""
    watching = _current_members().filter(therapist_id__in=Subquery(_alert_readers().values("id")))
    return User.filter(role=Role.PATIENT, is_active=True).exclude(
        id__in=Subquery(watching.values("patient_id"))
    )


async def unwatched_patients(*, limit: int = 100) -> list[Unwatched]:
    """The patients no one sees (`_unwatched`), those with open alerts first."""
    unwatched = _unwatched()
    waiting = await (
        Alert.filter(patient_id__in=Subquery(unwatched.values("id")), acknowledged_at=None)
        .group_by("patient_id")
        .annotate(count=Count("id"))
        .values_list("patient_id", "count")
    )
    counts = {int(patient_id): int(count) for patient_id, count in waiting}
    # Every patient with an alert waiting, however many; then the others, up to `limit`.
    alerted = await unwatched.filter(id__in=list(counts)).order_by("display_name", "id")
    others = (
        await unwatched.exclude(id__in=list(counts)).order_by("display_name", "id").limit(limit)
    )
    return [Unwatched(patient, counts[patient.id]) for patient in alerted] + [
        Unwatched(patient, 0) for patient in others
    ]


async def list_accounts(
    chosen: AccountFilter, *, search: str = "", per_page: int = 25
) -> accounts.UserPage:
    """The administrators' account list, filtered and searched. Here rather than in accounts,
    which knows no care teams: "no therapist" is `_unwatched`, as on the admin overview."""
    return await accounts.list_users(
        page=chosen.page,
        per_page=per_page,
        search=search,
        role=chosen.role,
        active=chosen.status.is_active,
        invited=chosen.status is AccountStatus.INVITED,
        among=_unwatched() if chosen.no_therapist else None,
    )


async def active_therapists() -> list[User]:
    return await User.filter(role=Role.THERAPIST, is_active=True).order_by("display_name")


async def caseload(therapist: User) -> list[User]:
    ids = _current_members().filter(therapist_id=therapist.id).values_list("patient_id", flat=True)
    return await User.filter(id__in=await ids, is_active=True).order_by("display_name")


async def patient_for_therapist(viewer: User, patient_id: int) -> User | None:
    """The patient, only when they are on this therapist's caseload."""
    if not permissions.can_see_caseload(viewer.role):
        return None
    if not await _current_members().filter(therapist_id=viewer.id, patient_id=patient_id).exists():
        return None
    return await User.get_or_none(id=patient_id, role=Role.PATIENT)


async def raise_alerts(
    patient_id: int,
    causes: Iterable[AlertCause],
    *,
    source_type: str,
    source_id: int,
    now: datetime,
    notify: bool = False,
) -> list[Alert]:
    """Write alerts for a rating; call inside the rating's own transaction. With `notify`
    (e-mail is on: `CarePolicy.email_alerts`), their e-mails go into the outbox with them."""
    alerts = [
        await Alert.create(
            patient_id=patient_id,
            reason=cause.reason,
            value=cause.value,
            detail=cause.detail,
            source_type=source_type,
            source_id=source_id,
            created_at=now,
        )
        for cause in causes
    ]
    if notify:
        await outbox.enqueue(patient_id, alerts, now=now)
    return alerts


@dataclass(frozen=True, slots=True)
class OpenAlert:
    alert: Alert
    patient_name: str


def _open_on_caseload(viewer: User) -> QuerySet[Alert]:
    """Unacknowledged alerts for the patients on this therapist's caseload; the caseload as a
    subquery: one query, and no list of ids to build and bind."""
    patients = Subquery(_current_members().filter(therapist_id=viewer.id).values("patient_id"))
    return Alert.filter(patient_id__in=patients, acknowledged_at__isnull=True)


async def open_alerts(viewer: User, *, limit: int = 50) -> list[OpenAlert]:
    """Unacknowledged alerts for the patients on this therapist's caseload, newest first."""
    if not permissions.can_see_caseload(viewer.role):
        return []
    alerts = await _open_on_caseload(viewer).order_by("-created_at", "-id").limit(limit)
    names = await accounts.display_names({alert.patient_id for alert in alerts})
    return [OpenAlert(alert, names.get(alert.patient_id, "")) for alert in alerts]


async def open_alert_count(viewer: User) -> int:
    """How many unacknowledged alerts the patients on this therapist's caseload have."""
    if not permissions.can_see_caseload(viewer.role):
        return 0
    return await _open_on_caseload(viewer).count()


async def alert_for_therapist(viewer: User, alert_id: int) -> Alert | None:
    alert = await Alert.get_or_none(id=alert_id)
    if alert is None or await patient_for_therapist(viewer, alert.patient_id) is None:
        return None
    return alert


async def acknowledge(alert: Alert, by: User, *, now: datetime, note: str = "") -> bool:
    """Record who saw the alert, when, and their optional note; False when someone already had
    (their note is not stored then). Either way `alert` then holds the stored acknowledgement
    (the first one). A note longer than `scoring.MAX_NOTE` is refused (FieldError "note")."""
    cleaned = scoring.clean_note(note)
    updated = await Alert.filter(id=alert.id, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by_id=by.id, acknowledgement_note=cleaned
    )
    await alert.refresh_from_db(
        fields=["acknowledged_at", "acknowledged_by_id", "acknowledgement_note"]
    )
    return updated > 0


async def alerts_raised_between(patient: User, start: datetime, end: datetime) -> list[Alert]:
    """The patient's alerts raised in [start, end), open or acknowledged, oldest first."""
    return await Alert.filter(
        patient_id=patient.id, created_at__gte=start, created_at__lt=end
    ).order_by("created_at", "id")
