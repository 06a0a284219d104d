"""JSON API for administrators' account management: what `/admin/users` does, for scripts (a
clinic importing its patients, a test harness creating a cohort). Paths are a public contract.

Everyone but an administrator is refused (403). The checks, the writes and their audit rows are
`web/account_actions`, which the pages use too. The list takes the page's filters but no search:
a name or e-mail address must not stand in a URL (access logs)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Literal, TypeVar

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from wellness.accounts import services as accounts
from wellness.accounts.filters import NO_THERAPIST, AccountFilter, AccountStatus
from wellness.accounts.models import User
from wellness.accounts.reset_rules import INVITATION_LIFETIME_DAYS
from wellness.accounts.roles import Role
from wellness.care import services as care
from wellness.settings import Settings
from wellness.web import account_actions as actions
from wellness.web.api.accounts_schemas import (
    AccountCreate,
    AccountDetail,
    AccountList,
    AccountPatch,
    AccountSearch,
    ActiveChange,
    CareTeam,
    InvitationSent,
    NewPassword,
    RoleChange,
    TeamMember,
)
from wellness.web.api.fields import PerPage
from wellness.web.auditing import ACCOUNT_VIEWED, record_for_patients
from wellness.web.dependencies import AdminCall, AppSettings, SignedInCall, SignInLimits
from wellness.web.guards import admins_only
from wellness.web.idempotency import respond_once, respond_once_empty
from wellness.web.ids import AccountId, PageNumber
from wellness.web.lookups import account_for_admin_or_404
from wellness.web.openapi import answers, created

BodyWithPassword = TypeVar("BodyWithPassword", AccountCreate, NewPassword)
ACCOUNT = "/{user_id:int}"
MEMBER = f"{ACCOUNT}/care-team/{{therapist_id:int}}"


class AccountsApi(Controller):
    path = "/api/v1/users"
    guards = [admins_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["accounts"]  # noqa: RUF012

    @get("/", name="api_users")
    async def list_accounts(
        self,
        call: AdminCall,
        role: Annotated[Role | None, QueryParameter()] = None,
        status: Annotated[AccountStatus, QueryParameter()] = AccountStatus.ANY,
        therapist: Annotated[
            Literal["none"] | None,
            QueryParameter(description="`none`: the patients no active therapist sees."),
        ] = None,
        page: PageNumber = 1,
        per_page: PerPage = 25,
    ) -> AccountList:
        """Accounts by name, narrowed by role, status and "no therapist" as on `/admin/users`."""
        chosen = AccountFilter(role, status, therapist == NO_THERAPIST, page)
        found = await care.list_accounts(chosen, per_page=per_page)
        return await _listed(call, chosen, found)

    @post("/search", name="api_users_search", status_code=200)
    async def search_accounts(self, call: AdminCall, data: JSONBody[AccountSearch]) -> AccountList:
        """Accounts whose name or e-mail address contains `q`, with the list's filters: posted,
        so that no name or address stands in a URL (access logs, proxies)."""
        chosen = data.chosen()
        found = await care.list_accounts(chosen, search=data.q, per_page=data.per_page)
        return await _listed(call, chosen, found)

    @post(
        "/",
        name="api_user_create",
        responses=created(AccountDetail),
        opt={"refusals": (409,)},
    )
    async def create_account(
        self, call: AdminCall, settings: AppSettings, data: JSONBody[AccountCreate]
    ) -> Response[bytes]:
        """Create an account (201) with its first `password`, or with `invite` true and no
        password: the person is e-mailed a link to choose one, which works for 7 days, and the
        answer says `invited` true. Every field at fault is named at once (422), as is an
        e-mail address already in use, or a password and `invite` both or neither; `invite`
        while the app sends no e-mail is a 409 (`code` `invitations_off`)."""
        setup = data.setup_problem()
        new_account = accounts.NewAccount(
            email=data.email,
            display_name=data.display_name,
            role=data.role,
            password=None if data.invite else data.password,
            time_zone=data.time_zone,
        )

        async def write() -> tuple[int, AccountDetail]:
            # Checked here, so that a retry is answered what the first request was.
            if setup is None and data.invite:
                actions.require_invitations(call)
            problems = dict([setup]) if setup else None
            therapist = await actions.checked_new_account(new_account, data.therapist_id, problems)
            made = await actions.create_account(call, new_account, therapist)
            team = [made.therapist] if made.therapist else []
            care_team = team if made.account.role is Role.PATIENT else None
            return 201, AccountDetail.with_people(made.account, care_team=care_team, caseload=None)

        return await respond_once(call.request, _without_password(settings, data), write)

    @get(ACCOUNT, name="api_user")
    async def account(self, call: AdminCall, user_id: AccountId) -> AccountDetail:
        """One account, with a patient's care team or a therapist's caseload (audited, as the
        account's page is)."""
        found = await account_for_admin_or_404(call.user, user_id)
        return await _detail(call, found)

    @patch(ACCOUNT, name="api_user_update", responses=answers(AccountDetail, 200))
    async def change_details(
        self, call: AdminCall, user_id: AccountId, data: JSONBody[AccountPatch]
    ) -> Response[bytes]:
        """Correct a name or e-mail address (anyone's, one's own included); the new address signs
        in at once."""
        found = await account_for_admin_or_404(call.user, user_id)
        name = found.display_name if data.display_name is None else data.display_name
        email = found.email if data.email is None else data.email
        change = partial(actions.change_details, call, found, name, email)
        return await _changed(call, found, data, change)

    @put(f"{ACCOUNT}/role", name="api_user_role", responses=answers(AccountDetail, 200))
    async def change_role(
        self, call: AdminCall, user_id: AccountId, data: JSONBody[RoleChange]
    ) -> Response[bytes]:
        """Give the account another role, ending its sessions. No one removes their own
        administrator role, and the last active administrator keeps theirs (422)."""
        found = await account_for_admin_or_404(call.user, user_id)
        change = None
        if data.role is not found.role:
            change = partial(
                actions.change_role, call, found, data.role, confirmed=data.confirm_admin
            )
        return await _changed(call, found, data, change)

    @put(f"{ACCOUNT}/active", name="api_user_active", responses=answers(AccountDetail, 200))
    async def change_active(
        self, call: AdminCall, user_id: AccountId, data: JSONBody[ActiveChange]
    ) -> Response[bytes]:
        """Deactivate an account (signing the person out everywhere) or restore it. No one
        deactivates themselves, and the last active administrator stays active (422)."""
        found = await account_for_admin_or_404(call.user, user_id)
        change = None
        if data.active is not found.is_active:
            change = partial(actions.change_active, call, found, data.active)
        return await _changed(call, found, data, change)

    @put(
        f"{ACCOUNT}/password",
        name="api_user_password",
        status_code=HTTP_204_NO_CONTENT,
        opt={"refusals": (422,)},
    )
    async def reset_password(
        self,
        call: AdminCall,
        settings: AppSettings,
        throttle: SignInLimits,
        user_id: AccountId,
        data: JSONBody[NewPassword],
    ) -> Response[None]:
        """Set someone else's password: it ends their sessions and lifts their sign-in locks
        (204). Your own is changed on your account page, with the current one."""
        found = await account_for_admin_or_404(call.user, user_id)

        async def write() -> None:
            await actions.reset_password(call, throttle, found, data.password)

        return await respond_once_empty(call.request, _without_password(settings, data), write)

    @post(
        f"{ACCOUNT}/invitation",
        name="api_user_invitation",
        status_code=HTTP_202_ACCEPTED,
        responses={
            202: ResponseSpec(data_container=InvitationSent, description="Invitation on its way")
        },
        opt={"refusals": (409,)},
    )
    async def send_invitation(self, call: AdminCall, user_id: AccountId) -> Response[bytes]:
        """E-mail an invited account (one with no password yet) a new invitation (202), voiding
        the older link. `409` naming why when the account has a password already or is
        deactivated (`code` `not_invitable`), or while the app sends no e-mail
        (`invitations_off`)."""
        found = await account_for_admin_or_404(call.user, user_id)

        async def write() -> tuple[int, InvitationSent]:
            await actions.send_invitation_again(call, found)
            return HTTP_202_ACCEPTED, InvitationSent(found.id, INVITATION_LIFETIME_DAYS)

        return await respond_once(call.request, None, write)

    @put(MEMBER, name="api_care_team_add", responses=answers(CareTeam, 201, 200))
    async def add_therapist(
        self, call: AdminCall, user_id: AccountId, therapist_id: AccountId
    ) -> Response[bytes]:
        """Put the patient on an active therapist's caseload (201; 200 when they already were)."""
        patient = await account_for_admin_or_404(call.user, user_id)

        async def write() -> tuple[int, CareTeam]:
            _, added = await actions.add_to_care_team(call, patient, therapist_id)
            return (201 if added else 200), await _care_team(patient)

        return await respond_once(call.request, None, write)

    @delete(MEMBER, name="api_care_team_remove", status_code=200, responses=answers(CareTeam, 200))
    async def remove_therapist(
        self, call: AdminCall, user_id: AccountId, therapist_id: AccountId
    ) -> Response[bytes]:
        """End a therapist's place on the patient's care team (404 when they had none); the
        membership stays in the record's history."""
        patient = await account_for_admin_or_404(call.user, user_id)

        async def write() -> tuple[int, CareTeam]:
            if not await actions.remove_from_care_team(call, patient, therapist_id):
                raise NotFoundException("That therapist is not on this patient's care team.")
            return 200, await _care_team(patient)

        return await respond_once(call.request, None, write)


async def _changed(
    call: SignedInCall,
    account: User,
    payload: msgspec.Struct,
    change: Callable[[], Awaitable[object]] | None,
) -> Response[bytes]:
    """Make the change (None: nothing to change), once per Idempotency-Key, and answer the
    account as it then is."""

    async def write() -> tuple[int, AccountDetail]:
        if change is not None:
            await change()
        return 200, await _detail(call, await _reread(account))

    return await respond_once(call.request, payload, write)


async def _listed(
    call: SignedInCall, chosen: AccountFilter, found: accounts.UserPage
) -> AccountList:
    if chosen.no_therapist:
        # As the page: it names patients and that no one sees their alerts.
        shown = [account.id for account in found.users]
        await record_for_patients(
            call.request, ACCOUNT_VIEWED, shown, detail="unwatched", now=call.now
        )
    return AccountList.of(found)


def _without_password(settings: Settings, body: BodyWithPassword) -> BodyWithPassword:
    """The body as a retry's fingerprint keeps it (`Idempotency-Key`): a keyed digest in the
    password's place, so that no hash of a password anyone could test guesses against is kept,
    and a retry with another password is still told apart (422)."""
    if body.password is None:  # an invitation: no password to hide
        return body
    key = settings.secret_key.encode()
    digest = hmac.new(key, body.password.encode(), hashlib.sha256).hexdigest()
    return msgspec.structs.replace(body, password=digest)


async def _detail(call: SignedInCall, account: User) -> AccountDetail:
    people = await actions.shown_account(call, account)
    return AccountDetail.with_people(account, care_team=people.care_team, caseload=people.caseload)


async def _reread(account: User) -> User:
    """The account as the write left it."""
    found = await accounts.get_user(account.id)
    if found is None:  # removed meanwhile
        raise NotFoundException("No such account.")
    return found


async def _care_team(patient: User) -> CareTeam:
    team = await care.therapists_of(patient.id)
    return CareTeam(patient.id, [TeamMember.of(member) for member in team])
