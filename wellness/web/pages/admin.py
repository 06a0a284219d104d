"""Account administration pages: list, create, change role, deactivate, reset password."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts import filters as account_filters
from wellness.accounts import permissions
from wellness.accounts import services as accounts
from wellness.accounts.filters import AccountFilter, AccountStatus
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.lib.numbers import record_id
from wellness.lib.validation import FieldError
from wellness.web.auditing import (
    ACCOUNT_VIEWED,
    record_action,
    record_for_patient,
    record_for_patients,
)
from wellness.web.dependencies import RequestTime, SignedInUser, SignInLimits
from wellness.web.guards import admins_only
from wellness.web.ids import AccountId
from wellness.web.kept_searches import keep_posted_search, kept_search
from wellness.web.lookups import account_for_admin_or_404
from wellness.web.schemas import (
    ActiveForm,
    NameAndEmailForm,
    NewUserForm,
    PasswordForm,
    RoleForm,
)


async def _audit(
    request: Request[Any, Any, Any], action: str, target: User, detail: str = ""
) -> None:
    await record_action(request, action, target_type="user", target_id=target.id, detail=detail)


async def _refused(request: Request[Any, Any, Any], account: User, problem: FieldError) -> Template:
    """The account's page again, with the refusal next to the field it names."""
    errors = {problem.field: problem.message}
    return await _detail_template(request, account, errors=errors, status=422)


async def _done(
    request: Request[Any, Any, Any], action: str, account: User, message: str, detail: str = ""
) -> Redirect:
    """Audit a change to `account`, say what happened, and go back to the account's page."""
    await _audit(request, action, account, detail=detail)
    flash(request, message, category="success")
    return Redirect(f"/admin/users/{account.id}", status_code=303)


_FIELD_WORDS = {"display_name": "name", "email": "e-mail address"}


def _role_or_error(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise accounts.AccountError("role", "Choose one of the listed roles.") from None


# One account's page was shown: its row names the account (and the patient, for a patient's).
# The account list's search, kept in the session rather than in the page's address.
ACCOUNT_SEARCH = "account_search"
MAX_SEARCH = 200


class AdminPages(Controller):
    path = "/admin/users"
    guards = [admins_only]  # noqa: RUF012  (Litestar reads this class attribute)

    @get("/", name="admin_users")
    async def list_accounts(self, request: Request[Any, Any, Any]) -> Template:
        """Every account, or those the filters in the address and the search (kept in the
        session) match. A filter it cannot read is a 400 that names it, listing nothing."""
        search = kept_search(request, ACCOUNT_SEARCH)
        chosen, errors = account_filters.parse(request.query_params.multi_items())
        if errors:
            return _list_template(chosen, search, errors=errors)
        listing = await care.list_accounts(chosen, search=search)
        if chosen.no_therapist:
            # As the overview's card: it names patients and that no one sees their alerts.
            shown = [account.id for account in listing.users]
            await record_for_patients(request, ACCOUNT_VIEWED, shown, detail="unwatched")
        return _list_template(chosen, search, listing)

    @post("/", name="admin_users_search")
    async def search_accounts(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """The search and filter form is posted: the search is kept in the session, so that a
        patient's name or e-mail typed into it never stands in a URL (browser histories, access
        logs), and the answer is the list's address with the filters, from their first page."""
        form = await request.form()
        chosen, errors = account_filters.parse(form.multi_items(), posted=True)
        if errors:
            return _list_template(chosen, kept_search(request, ACCOUNT_SEARCH), errors=errors)
        await keep_posted_search(request, ACCOUNT_SEARCH, MAX_SEARCH)
        query = replace(chosen, page=1).query()
        return Redirect(f"/admin/users?{query}" if query else "/admin/users", status_code=303)

    @get("/new", name="admin_new_user")
    async def new_account_form(self) -> Template:
        return await _new_user_template(NewUserForm(role=Role.PATIENT.value))

    @post("/new", name="admin_create_user")
    async def create_account(
        self,
        request: Request[Any, Any, Any],
        now: RequestTime,
        data: URLEncodedBody[NewUserForm],
    ) -> Template | Redirect:
        # Every field is checked, so that the form names all its problems at once.
        errors: dict[str, str] = {}
        role = Role.PATIENT
        try:
            role = _role_or_error(data.role)
        except accounts.AccountError as problem:
            errors |= problem.problems
        new_account = accounts.NewAccount(
            email=data.email,
            display_name=data.display_name,
            role=role,
            password=data.password,
            time_zone=data.time_zone,
        )
        try:
            accounts.check_new_account(new_account)
        except accounts.AccountError as problem:
            errors = problem.problems | errors
        therapist = await _first_therapist(data.therapist_id, role, errors)
        if errors:
            return await _new_user_template(data, errors=errors, status=422)
        try:
            if therapist is None:
                created = await accounts.register(new_account)
            else:
                created = await care.register_patient(new_account, therapist, now=now)
        except accounts.AccountError as problem:  # the e-mail address is taken
            return await _new_user_template(data, errors=problem.problems, status=422)
        message = f"Account created for {created.display_name}."
        if therapist is not None:
            message += f" {therapist.display_name} looks after them."
            detail = f"therapist={therapist.id}"
            await record_for_patient(request, "care_assigned", created.id, detail=detail)
        detail = f"role={created.role.value}"
        return await _done(request, "account_created", created, message, detail=detail)

    @get("/{user_id:int}", name="admin_user")
    async def account_detail(
        self, request: Request[Any, Any, Any], user: SignedInUser, user_id: AccountId
    ) -> Template:
        account = await account_for_admin_or_404(user, user_id)
        return await _detail_template(request, account)

    @post("/{user_id:int}/details", name="admin_user_details")
    async def change_name_and_email(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        user_id: AccountId,
        data: URLEncodedBody[NameAndEmailForm],
    ) -> Template | Redirect:
        """Correct a person's name or e-mail address (anyone's, one's own included)."""
        account = await account_for_admin_or_404(user, user_id)
        try:
            changed = await accounts.change_name_and_email(account, data.display_name, data.email)
        except accounts.AccountError as problem:
            return await _detail_template(
                request, account, errors=problem.problems, status=422, typed=data
            )
        if not changed:
            flash(request, "Nothing was changed.", category="info")
            return Redirect(f"/admin/users/{account.id}", status_code=303)
        what = " and ".join(_FIELD_WORDS[name] for name in changed)
        message = f"Saved the new {what} of {account.display_name}."
        # Which fields, never their values: the trail is no copy of anyone's details.
        return await _done(request, "account_updated", account, message, detail=",".join(changed))

    @post("/{user_id:int}/role", name="admin_user_role")
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        user_id: AccountId,
        data: URLEncodedBody[RoleForm],
    ) -> Template | Redirect:
        account = await account_for_admin_or_404(user, user_id)
        try:
            role = _role_or_error(data.role)
            granting = role is Role.ADMIN and account.role is not Role.ADMIN
            if granting and data.confirm_admin != "yes":
                # Administrators manage every account: never granted by a stray choice.
                raise accounts.AccountError(
                    "role",
                    f"To make {account.display_name} an administrator, tick the box that "
                    "confirms it.",
                )
            await accounts.change_role(user, account, role)
        except accounts.AccountError as problem:
            return await _refused(request, account, problem)
        message = f"{account.display_name} is now {role.label.lower()}; their sessions were ended."
        change = f"{account.role.value}->{role.value}"
        return await _done(request, "role_changed", account, message, detail=change)

    @post("/{user_id:int}/active", name="admin_user_active")
    async def change_active(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        user_id: AccountId,
        data: URLEncodedBody[ActiveForm],
    ) -> Template | Redirect:
        account = await account_for_admin_or_404(user, user_id)
        try:
            if data.active not in {"true", "false"}:
                raise FieldError("active", "Choose activate or deactivate.")
            active = data.active == "true"
            await accounts.change_active(user, account, active)
        except FieldError as problem:
            return await _refused(request, account, problem)
        action = "account_activated" if active else "account_deactivated"
        state = "active again" if active else "deactivated and signed out everywhere"
        return await _done(request, action, account, f"{account.display_name} is {state}.")

    @post("/{user_id:int}/care-team", name="admin_care_assign")
    async def assign_therapist(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        user_id: AccountId,
    ) -> Template | Redirect:
        """Put this patient on a therapist's caseload."""
        patient = await account_for_admin_or_404(user, user_id)
        raw = str((await request.form()).get("therapist_id", ""))
        errors = {"therapist_id": "Choose one of the listed therapists."}
        try:
            therapist = await accounts.get_user(record_id(raw, field="therapist_id"))
        except FieldError:
            therapist = None
        if therapist is None or not therapist.is_active:
            return await _detail_template(request, patient, errors=errors, status=422)
        try:
            added = await care.assign(therapist, patient, now=now)
        except FieldError as problem:
            # The service names its argument; the form's control is `therapist_id`.
            field = "therapist_id" if problem.field == "therapist" else problem.field
            errors = {field: problem.message}
            return await _detail_template(request, patient, errors=errors, status=422)
        if added:
            detail = f"therapist={therapist.id}"
            await record_for_patient(request, "care_assigned", patient.id, detail=detail)
        flash(
            request, f"{therapist.display_name} now looks after {patient.display_name}.", "success"
        )
        return Redirect(f"/admin/users/{patient.id}", status_code=303)

    @post("/{user_id:int}/care-team/{therapist_id:int}/remove", name="admin_care_remove")
    async def remove_therapist(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        now: RequestTime,
        user_id: AccountId,
        therapist_id: AccountId,
    ) -> Redirect:
        patient = await account_for_admin_or_404(user, user_id)
        if await care.unassign(therapist_id, patient.id, now=now):
            detail = f"therapist={therapist_id}"
            await record_for_patient(request, "care_unassigned", patient.id, detail=detail)
            flash(request, "Removed from the care team.", "success")
        else:  # a second click, or a stale page: say so rather than nothing
            flash(request, "That therapist was not on this care team; nothing changed.", "info")
        return Redirect(f"/admin/users/{patient.id}", status_code=303)

    @post("/{user_id:int}/password", name="admin_user_password")
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        user: SignedInUser,
        throttle: SignInLimits,
        user_id: AccountId,
        data: URLEncodedBody[PasswordForm],
    ) -> Template | Redirect:
        account = await account_for_admin_or_404(user, user_id)
        try:
            if account.id == user.id:
                # Without the current password, a session left open would be enough to take
                # the account; the account page asks for it.
                raise accounts.AccountError(
                    "password", "Change your own password on your account page."
                )
            await accounts.set_password(account, data.password)
        except accounts.AccountError as problem:
            return await _refused(request, account, problem)
        # The recovery path for a throttled account: a fresh password lifts the lock.
        await throttle.clear_account(account.email)
        message = f"New password set for {account.display_name}; their sessions were ended."
        return await _done(request, "password_reset", account, message)


async def _first_therapist(raw: str, role: Role, errors: dict[str, str]) -> User | None:
    """The therapist chosen for a new patient (none for other roles, or when left empty)."""
    if not permissions.is_patient(role) or not raw.strip():
        return None
    try:
        therapist = await accounts.get_user(record_id(raw.strip(), field="therapist_id"))
    except FieldError:
        therapist = None
    if not (therapist and therapist.is_active and permissions.can_see_caseload(therapist.role)):
        errors["therapist_id"] = "Choose one of the listed therapists, or none for now."
        return None
    return therapist


def _list_template(
    chosen: AccountFilter,
    search: str,
    listing: accounts.UserPage | None = None,
    *,
    errors: dict[str, str] | None = None,
) -> Template:
    """The account list; without a listing, the filters it could not read (a 400)."""
    context = {
        "listing": listing,
        "search": search,
        "filters": chosen,
        "errors": errors or {},
        "labels": account_filters.LABELS,
        "roles": list(Role),
        "statuses": list(AccountStatus),
    }
    return Template("admin/users.html", context=context, status_code=400 if errors else 200)


async def _new_user_template(
    form: NewUserForm, *, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    context = {
        "form": form,
        "errors": errors or {},
        "roles": list(Role),
        "therapists": await care.active_therapists(),
    }
    return Template("admin/user_new.html", context=context, status_code=status)


async def _detail_template(
    request: Request[Any, Any, Any],
    account: User,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    typed: NameAndEmailForm | None = None,
) -> Template:
    """The account's page, first asked for or shown again after a refused change; audited
    either way, as it names the person, and a patient's care team or a therapist's patients."""
    context: dict[str, Any] = {"account": account, "errors": errors or {}, "roles": list(Role)}
    if typed is not None:
        context["form_values"] = typed
    if account.role is Role.PATIENT:
        team = await care.therapists_of(account.id)
        context["care_team"] = team
        # A member demoted or deactivated since stays on the team (and regains the caseload if
        # restored) but sees no alerts meanwhile: the page says so, or the team looks covered.
        context["unreachable"] = {
            member.id
            for member in team
            if not (member.is_active and permissions.can_see_caseload(member.role))
        }
        if len(context["unreachable"]) == len(team):
            context["unseen_alerts"] = await care.open_alert_count_of(account.id)
        context["therapist_choices"] = [
            therapist
            for therapist in await care.active_therapists()
            if therapist.id not in {member.id for member in team}
        ]
        await record_for_patient(request, ACCOUNT_VIEWED, account.id)
    else:
        await _audit(request, ACCOUNT_VIEWED, account)
    if account.role is Role.THERAPIST:
        caseload = await care.caseload(account)
        context["caseload"] = caseload
        # Each patient listed is shown to be in this clinic's care: a row naming each.
        await record_for_patients(
            request,
            ACCOUNT_VIEWED,
            [patient.id for patient in caseload],
            detail=f"caseload_of={account.id}",
        )
    return Template("admin/user_detail.html", context=context, status_code=status)
