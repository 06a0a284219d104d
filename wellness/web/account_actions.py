"""Changes to accounts that the admin pages and the JSON API share: the checks, one service call
and one audit row each. A row names the account and which fields or roles changed, never a
name, an e-mail address or a password: the trail is no copy of anyone's details."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.exceptions import HTTPException

from wellness.accounts import permissions
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.accounts.throttle import LoginThrottle
from wellness.care import services as care
from wellness.lib.validation import FieldError
from wellness.notifications import password_reset_mail
from wellness.web.auditing import (
    ACCOUNT_VIEWED,
    record_action,
    record_for_patient,
    record_for_patients,
)
from wellness.web.context import web_context
from wellness.web.dependencies import SignedInCall

THERAPIST_FIELD = "therapist_id"
NO_SUCH_THERAPIST = "Choose one of the listed therapists, or none for now."
UNLISTED_THERAPIST = "Choose one of the listed therapists."


@dataclass(frozen=True, slots=True)
class People:
    """Whom an account's page or answer names besides the account: a patient's care team, a
    therapist's caseload (None where the role has none)."""

    care_team: list[User] | None = None
    caseload: list[User] | None = None


@dataclass(frozen=True, slots=True)
class Created:
    account: User
    therapist: User | None  # the new patient's first therapist, if one was chosen


async def audit_account(call: SignedInCall, action: str, account: User, detail: str = "") -> None:
    await record_action(
        call.request, action, target_type="user", target_id=account.id, detail=detail, now=call.now
    )


async def shown_account(call: SignedInCall, account: User) -> People:
    """The people shown with an account, read and audited: its page or answer names the person,
    and a patient's care team or a therapist's patients, each an `account_viewed` row."""
    if account.role is Role.PATIENT:
        await record_for_patient(call.request, ACCOUNT_VIEWED, account.id, now=call.now)
        return People(care_team=await care.therapists_of(account.id))
    await audit_account(call, ACCOUNT_VIEWED, account)
    if account.role is not Role.THERAPIST:
        return People()
    caseload = await care.caseload(account)
    # Each patient listed is shown to be in this clinic's care: a row naming each.
    await record_for_patients(
        call.request,
        ACCOUNT_VIEWED,
        [patient.id for patient in caseload],
        detail=f"caseload_of={account.id}",
        now=call.now,
    )
    return People(caseload=caseload)


async def first_therapist(therapist_id: int | None, role: Role) -> User | None:
    """The active therapist chosen for a new patient; None for other roles or when none was
    chosen. AccountError names `therapist_id` for anyone else."""
    if therapist_id is None or not permissions.is_patient(role):
        return None
    therapist = await accounts.get_user(therapist_id)
    if not (therapist and therapist.is_active and permissions.can_see_caseload(therapist.role)):
        raise accounts.AccountError(THERAPIST_FIELD, NO_SUCH_THERAPIST)
    return therapist


async def checked_new_account(
    account: accounts.NewAccount, therapist_id: int | None, problems: dict[str, str] | None = None
) -> User | None:
    """Check every field of a new account at once, with `problems` a caller found already (a
    role it could not read); the first therapist, if any. AccountError holds every problem."""
    found = dict(problems or {})
    try:
        accounts.check_new_account(account)
    except accounts.AccountError as problem:
        found = problem.problems | found
    therapist = None
    try:
        therapist = await first_therapist(therapist_id, account.role)
    except accounts.AccountError as problem:
        found |= problem.problems
    if found:
        field, message = next(iter(found.items()))
        raise accounts.AccountError(field, message, found)
    return therapist


INVITATIONS_OFF = (
    "Invitations cannot be sent, because e-mail is not set up for this app. Choose the "
    "person's first password instead, and tell it to them in person or by phone."
)


class InvitationsOff(HTTPException):
    """E-mail is off (WELLNESS_SMTP_URL unset): no invitation can be sent (409, as the reset
    routes answer), saying why and what to do instead."""

    status_code = 409
    code = "invitations_off"

    def __init__(self) -> None:
        super().__init__(INVITATIONS_OFF)


class NotInvitable(HTTPException):
    """The account has a password already, or is deactivated: no invitation (409, naming why)."""

    status_code = 409
    code = "not_invitable"


def invitations_on(call: SignedInCall) -> bool:
    return web_context(call.request).settings.mail is not None


def require_invitations(call: SignedInCall) -> None:
    if not invitations_on(call):
        raise InvitationsOff


async def create_account(
    call: SignedInCall, account: accounts.NewAccount, therapist: User | None
) -> Created:
    """Register the checked account, on `therapist`'s caseload when one is given. AccountError
    when the e-mail address is taken.

    An account without a password (`account.password` None) is invited: InvitationsOff while
    e-mail is off, before anything is written; else its invitation is e-mailed once it exists.
    Not one transaction with the account: should the invitation fail, the account's page
    shows it invited and offers to send the invitation again."""
    if account.password is None:
        require_invitations(call)
    if therapist is None:
        created = await accounts.register(account)
    else:
        created = await care.register_patient(account, therapist, now=call.now)
        detail = f"therapist={therapist.id}"
        await record_for_patient(
            call.request, "care_assigned", created.id, detail=detail, now=call.now
        )
    await audit_account(call, "account_created", created, detail=f"role={created.role.value}")
    if account.password is None:
        await _e_mail_invitation(call, created)
        await audit_account(call, ACCOUNT_INVITED, created)
    return Created(created, therapist)


ACCOUNT_INVITED = "account_invited"
INVITATION_SENT = "invitation_sent"


async def send_invitation_again(call: SignedInCall, account: User) -> None:
    """A new invitation for an account that has no password yet, voiding the older link.
    InvitationsOff while e-mail is off; NotInvitable once it has a password or is deactivated."""
    require_invitations(call)
    await _e_mail_invitation(call, account)
    await audit_account(call, INVITATION_SENT, account)


async def _e_mail_invitation(call: SignedInCall, account: User) -> None:
    secret = web_context(call.request).settings.secret_key
    try:
        await password_reset_mail.invite(account.id, secret_key=secret, now=call.now)
    except password_reset_mail.NotInvitable as refusal:
        raise NotInvitable(refusal.message) from None


async def change_details(
    call: SignedInCall, account: User, display_name: str, email: str
) -> list[str]:
    """Correct a name or e-mail address (anyone's, one's own included); the fields changed."""
    changed = await accounts.change_name_and_email(account, display_name, email)
    if changed:
        await audit_account(call, "account_updated", account, detail=",".join(changed))
    return changed


async def change_role(call: SignedInCall, account: User, role: Role, *, confirmed: bool) -> Role:
    """Give the account another role (ending its sessions); the role it had. Administrators
    manage every account, so that role is never granted without `confirmed`."""
    if role is Role.ADMIN and account.role is not Role.ADMIN and not confirmed:
        raise accounts.AccountError(
            "role",
            f"To make {account.display_name} an administrator, tick the box that confirms it.",
        )
    earlier = account.role
    await accounts.change_role(call.user, account, role)
    await audit_account(call, "role_changed", account, detail=f"{earlier.value}->{role.value}")
    return earlier


async def change_active(call: SignedInCall, account: User, active: bool) -> None:
    """Activate or deactivate (signing the person out everywhere)."""
    await accounts.change_active(call.user, account, active)
    action = "account_activated" if active else "account_deactivated"
    await audit_account(call, action, account)


async def reset_password(
    call: SignedInCall, throttle: LoginThrottle, account: User, password: str
) -> None:
    """Set someone else's password (ending their sessions) and lift their sign-in locks."""
    if account.id == call.user.id:
        # Without the current password, a session left open would be enough to take the
        # account; the account page asks for it.
        raise accounts.AccountError("password", "Change your own password on your account page.")
    await accounts.set_password(account, password)
    # The recovery path for a throttled account: a fresh password lifts the lock.
    await throttle.clear_account(account.email)
    await audit_account(call, "password_reset", account)


async def add_to_care_team(
    call: SignedInCall, patient: User, therapist_id: int
) -> tuple[User, bool]:
    """Put the patient on an active therapist's caseload: (the therapist, whether they were not
    on it already). FieldError names `therapist_id`."""
    therapist = await accounts.get_user(therapist_id)
    if therapist is None or not therapist.is_active:
        raise FieldError(THERAPIST_FIELD, UNLISTED_THERAPIST)
    try:
        added = await care.assign(therapist, patient, now=call.now)
    except FieldError as problem:
        # The service names its argument; the form's control and the API's field are one name.
        field = THERAPIST_FIELD if problem.field == "therapist" else problem.field
        raise FieldError(field, problem.message) from None
    if added:
        detail = f"therapist={therapist.id}"
        await record_for_patient(
            call.request, "care_assigned", patient.id, detail=detail, now=call.now
        )
    return therapist, added


async def remove_from_care_team(call: SignedInCall, patient: User, therapist_id: int) -> bool:
    """End a therapist's place on the patient's care team; False when they had none."""
    removed = await care.unassign(therapist_id, patient.id, now=call.now)
    if removed:
        detail = f"therapist={therapist_id}"
        await record_for_patient(
            call.request, "care_unassigned", patient.id, detail=detail, now=call.now
        )
    return removed
