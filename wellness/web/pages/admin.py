"""Account administration pages: list, create (with a password or an invitation by e-mail),
change role, deactivate, reset password, send an invitation again."""

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
from wellness.accounts.reset_rules import INVITATION_LIFETIME_DAYS
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.lib.numbers import record_id
from wellness.lib.validation import FieldError
from wellness.web import account_actions as actions
from wellness.web.auditing import (
    ACCOUNT_VIEWED,
    record_for_patients,
)
from wellness.web.dependencies import AdminCall, SignedInCall, SignInLimits
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


async def _refused(call: SignedInCall, account: User, problem: FieldError) -> Template:
    """The account's page again, with the refusal next to the field it names."""
    errors = {problem.field: problem.message}
    return await _detail_template(call, account, errors=errors, status=422)


def _done(call: SignedInCall, account: User, message: str) -> Redirect:
    """Say what happened (the action audited it) and go back to the account's page."""
    flash(call.request, message, category="success")
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
        await keep_posted_search(request, ACCOUNT_SEARCH, account_filters.MAX_SEARCH)
        query = replace(chosen, page=1).query()
        return Redirect(f"/admin/users?{query}" if query else "/admin/users", status_code=303)

    @get("/new", name="admin_new_user")
    async def new_account_form(self, call: AdminCall) -> Template:
        # With e-mail set up, an invitation is offered first: nobody has to pass a password on.
        setup = SETUP_INVITE if actions.invitations_on(call) else SETUP_PASSWORD
        return await _new_user_template(call, NewUserForm(role=Role.PATIENT.value, setup=setup))

    @post("/new", name="admin_create_user")
    async def create_account(
        self, call: AdminCall, data: URLEncodedBody[NewUserForm]
    ) -> Template | Redirect:
        # Every field is checked, so that the form names all its problems at once.
        problems: dict[str, str] = {}
        role = Role.PATIENT
        try:
            role = _role_or_error(data.role)
        except accounts.AccountError as problem:
            problems |= problem.problems
        therapist_id = None
        try:
            therapist_id = _chosen_therapist(data.therapist_id)
        except FieldError:
            problems[actions.THERAPIST_FIELD] = actions.NO_SUCH_THERAPIST
        invite = False
        try:
            invite = _chosen_setup(call, data.setup)
        except accounts.AccountError as problem:
            problems |= problem.problems
        new_account = accounts.NewAccount(
            email=data.email,
            display_name=data.display_name,
            role=role,
            # Without JavaScript both choices' fields show: only the chosen one's is read.
            password=None if invite else data.password,
            time_zone=data.time_zone,
        )
        try:
            therapist = await actions.checked_new_account(new_account, therapist_id, problems)
            created = await actions.create_account(call, new_account, therapist)
        except accounts.AccountError as problem:  # a field at fault, or the address is taken
            return await _new_user_template(call, data, errors=problem.problems, status=422)
        except actions.InvitationsOff as refusal:  # e-mail was turned off since the form showed
            errors = {"setup": refusal.detail}
            return await _new_user_template(call, data, errors=errors, status=409)
        message = f"Account created for {created.account.display_name}."
        if invite:
            message += (
                f" An invitation to choose a password is on its way to {created.account.email};"
                f" its link works for {INVITATION_LIFETIME_DAYS} days."
            )
        if created.therapist is not None:
            message += f" {created.therapist.display_name} looks after them."
        return _done(call, created.account, message)

    @get("/{user_id:int}", name="admin_user")
    async def account_detail(self, call: AdminCall, user_id: AccountId) -> Template:
        account = await account_for_admin_or_404(call.user, user_id)
        return await _detail_template(call, account)

    @post("/{user_id:int}/details", name="admin_user_details")
    async def change_name_and_email(
        self, call: AdminCall, user_id: AccountId, data: URLEncodedBody[NameAndEmailForm]
    ) -> Template | Redirect:
        """Correct a person's name or e-mail address (anyone's, one's own included)."""
        account = await account_for_admin_or_404(call.user, user_id)
        try:
            changed = await actions.change_details(call, account, data.display_name, data.email)
        except accounts.AccountError as problem:
            return await _detail_template(
                call, account, errors=problem.problems, status=422, typed=data
            )
        if not changed:
            flash(call.request, "Nothing was changed.", category="info")
            return Redirect(f"/admin/users/{account.id}", status_code=303)
        what = " and ".join(_FIELD_WORDS[name] for name in changed)
        return _done(call, account, f"Saved the new {what} of {account.display_name}.")

    @post("/{user_id:int}/role", name="admin_user_role")
    async def change_role(
        self, call: AdminCall, user_id: AccountId, data: URLEncodedBody[RoleForm]
    ) -> Template | Redirect:
        account = await account_for_admin_or_404(call.user, user_id)
        try:
            role = _role_or_error(data.role)
            await actions.change_role(call, account, role, confirmed=data.confirm_admin == "yes")
        except accounts.AccountError as problem:
            return await _refused(call, account, problem)
        message = f"{account.display_name} is now {role.label.lower()}; their sessions were ended."
        return _done(call, account, message)

    @post("/{user_id:int}/active", name="admin_user_active")
    async def change_active(
        self, call: AdminCall, user_id: AccountId, data: URLEncodedBody[ActiveForm]
    ) -> Template | Redirect:
        account = await account_for_admin_or_404(call.user, user_id)
        try:
            if data.active not in {"true", "false"}:
                raise FieldError("active", "Choose activate or deactivate.")
            active = data.active == "true"
            await actions.change_active(call, account, active)
        except FieldError as problem:
            return await _refused(call, account, problem)
        state = "active again" if active else "deactivated and signed out everywhere"
        return _done(call, account, f"{account.display_name} is {state}.")

    @post("/{user_id:int}/care-team", name="admin_care_assign")
    async def assign_therapist(self, call: AdminCall, user_id: AccountId) -> Template | Redirect:
        """Put this patient on a therapist's caseload."""
        patient = await account_for_admin_or_404(call.user, user_id)
        raw = str((await call.request.form()).get(actions.THERAPIST_FIELD, ""))
        try:
            therapist_id = record_id(raw, field=actions.THERAPIST_FIELD)
        except FieldError:
            therapist_id = None
        try:
            if therapist_id is None:
                raise FieldError(actions.THERAPIST_FIELD, actions.UNLISTED_THERAPIST)
            therapist, _ = await actions.add_to_care_team(call, patient, therapist_id)
        except FieldError as problem:
            errors = {problem.field: problem.message}
            return await _detail_template(call, patient, errors=errors, status=422)
        message = f"{therapist.display_name} now looks after {patient.display_name}."
        return _done(call, patient, message)

    @post("/{user_id:int}/care-team/{therapist_id:int}/remove", name="admin_care_remove")
    async def remove_therapist(
        self, call: AdminCall, user_id: AccountId, therapist_id: AccountId
    ) -> Redirect:
        patient = await account_for_admin_or_404(call.user, user_id)
        if await actions.remove_from_care_team(call, patient, therapist_id):
            return _done(call, patient, "Removed from the care team.")
        # A second click, or a stale page: say so rather than nothing.
        flash(call.request, "That therapist was not on this care team; nothing changed.", "info")
        return Redirect(f"/admin/users/{patient.id}", status_code=303)

    @post("/{user_id:int}/invitation", name="admin_user_invitation")
    async def send_invitation(self, call: AdminCall, user_id: AccountId) -> Template | Redirect:
        """E-mail an invited account a new invitation, voiding the older link."""
        account = await account_for_admin_or_404(call.user, user_id)
        try:
            await actions.send_invitation_again(call, account)
        except (actions.InvitationsOff, actions.NotInvitable) as refusal:
            errors = {"invitation": refusal.detail}
            return await _detail_template(call, account, errors=errors, status=409)
        message = (
            f"A new invitation is on its way to {account.email}; its link works for "
            f"{INVITATION_LIFETIME_DAYS} days, and the older one no longer does."
        )
        return _done(call, account, message)

    @post("/{user_id:int}/password", name="admin_user_password")
    async def reset_password(
        self,
        call: AdminCall,
        throttle: SignInLimits,
        user_id: AccountId,
        data: URLEncodedBody[PasswordForm],
    ) -> Template | Redirect:
        account = await account_for_admin_or_404(call.user, user_id)
        try:
            await actions.reset_password(call, throttle, account, data.password)
        except accounts.AccountError as problem:
            return await _refused(call, account, problem)
        message = f"New password set for {account.display_name}; their sessions were ended."
        return _done(call, account, message)


SETUP_INVITE = "invite"
SETUP_PASSWORD = "password"  # noqa: S105  (a choice's name, not a password)


def _chosen_setup(call: SignedInCall, raw: str) -> bool:
    """Whether the form asks for an invitation. Without e-mail the form offers no choice and
    a password is always asked for; AccountError names `setup` for an unknown choice."""
    if not actions.invitations_on(call):
        return False
    if raw not in {SETUP_INVITE, SETUP_PASSWORD}:
        raise accounts.AccountError("setup", "Choose an invitation by e-mail or a password.")
    return raw == SETUP_INVITE


def _chosen_therapist(raw: str) -> int | None:
    """The new patient's first therapist as the form sends it: an id, or empty for none yet.
    FieldError for anything else."""
    return record_id(raw.strip(), field=actions.THERAPIST_FIELD) if raw.strip() else None


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
    call: SignedInCall,
    form: NewUserForm,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    context = {
        "invitations_on": actions.invitations_on(call),
        "invitation_days": INVITATION_LIFETIME_DAYS,
        "form": form,
        "errors": errors or {},
        "roles": list(Role),
        "therapists": await care.active_therapists(),
    }
    return Template("admin/user_new.html", context=context, status_code=status)


async def _detail_template(
    call: SignedInCall,
    account: User,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
    typed: NameAndEmailForm | None = None,
) -> Template:
    """The account's page, first asked for or shown again after a refused change; audited
    either way, as it names the person, and a patient's care team or a therapist's patients."""
    people = await actions.shown_account(call, account)
    context: dict[str, Any] = {
        "account": account,
        "errors": errors or {},
        "roles": list(Role),
        "invitations_on": actions.invitations_on(call),
        "invitation_days": INVITATION_LIFETIME_DAYS,
    }
    if typed is not None:
        context["form_values"] = typed
    if people.care_team is not None:
        team = people.care_team
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
    if people.caseload is not None:
        context["caseload"] = people.caseload
    return Template("admin/user_detail.html", context=context, status_code=status)
