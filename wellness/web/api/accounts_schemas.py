"""What the accounts API (administrators only) accepts and answers. Unknown input fields are
refused. A password is accepted and never answered."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

import msgspec

from wellness.accounts import permissions
from wellness.accounts.filters import (
    MAX_PAGE,
    MAX_SEARCH,
    NO_THERAPIST,
    AccountFilter,
    AccountStatus,
)
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.accounts.services import UserPage
from wellness.web.ids import BodyId
from wellness.web.shapes import PageOut, copied
from wellness.web.strict_json import StrictBody


class AccountOut(msgspec.Struct):
    id: int
    email: str
    display_name: str
    role: Role
    time_zone: str
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    # Invited by e-mail, no password chosen yet: nobody can sign in to it so far.
    invited: bool

    @classmethod
    def of(cls, user: User, **given: Any) -> Self:
        """`user` as the API shows it (`given`: the fields a subclass adds)."""
        return copied(cls, user, active=user.is_active, last_sign_in_at=user.last_login_at, **given)


class AccountList(PageOut):
    items: list[AccountOut]

    @classmethod
    def of(cls, found: UserPage) -> AccountList:
        return cls.paged([AccountOut.of(user) for user in found.users], found)


class Person(msgspec.Struct):
    id: int
    display_name: str


class TeamMember(Person, kw_only=True):
    """A therapist on a patient's care team. One demoted or deactivated since stays on it (and
    regains the caseload if restored) but sees no alerts meanwhile: `sees_alerts` is false."""

    sees_alerts: bool

    @classmethod
    def of(cls, member: User) -> TeamMember:
        reachable = member.is_active and permissions.can_see_caseload(member.role)
        return cls(member.id, member.display_name, sees_alerts=reachable)


class AccountDetail(AccountOut, kw_only=True):
    """An account, with a patient's care team and a therapist's caseload (null for others)."""

    care_team: list[TeamMember] | None = None
    caseload: list[Person] | None = None

    @classmethod
    def with_people(
        cls, user: User, *, care_team: list[User] | None, caseload: list[User] | None
    ) -> AccountDetail:
        return cls.of(
            user,
            care_team=None if care_team is None else [TeamMember.of(m) for m in care_team],
            caseload=None if caseload is None else [Person(p.id, p.display_name) for p in caseload],
        )


class AccountSearch(StrictBody):
    """Accounts whose name or e-mail address contains `q` (in any case), with the list's
    filters. A body rather than a query, so that what is searched for stands in no URL."""

    q: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_SEARCH)]
    role: Role | None = None
    status: AccountStatus = AccountStatus.ANY
    therapist: Literal["none"] | None = None
    page: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE)] = 1
    per_page: Annotated[int, msgspec.Meta(ge=1, le=100)] = 25

    def chosen(self) -> AccountFilter:
        return AccountFilter(self.role, self.status, self.therapist == NO_THERAPIST, self.page)


class AccountCreate(StrictBody):
    """A new account, with its first `password`, or `invite` true (no password) to e-mail the
    person a link to choose one (only while the app sends e-mail). `therapist_id` puts a new
    patient on an active therapist's caseload at once (alerts reach no one until a patient has
    one); it is ignored for other roles."""

    email: str
    display_name: str
    role: Role
    password: str | None = None
    invite: bool = False
    time_zone: str = "UTC"
    therapist_id: BodyId | None = None

    def setup_problem(self) -> tuple[str, str] | None:
        """The field at fault and why, unless exactly one of a password and `invite` is given."""
        if self.invite and self.password is not None:
            return "invite", 'Send either a password or "invite": true, not both.'
        if not self.invite and self.password is None:
            return (
                "password",
                'Give the person a first password, or send "invite": true to e-mail them a '
                "link to choose one.",
            )
        return None


class InvitationSent(msgspec.Struct):
    """An invitation is on its way: its link works once, for `expires_in_days` days."""

    user_id: int
    expires_in_days: int


class AccountPatch(StrictBody):
    """A corrected name or e-mail address; a field left out keeps its value."""

    display_name: str | None = None
    email: str | None = None


class RoleChange(StrictBody):
    """Another role, which ends the person's sessions. Granting the administrator role needs
    `confirm_admin`: administrators manage every account."""

    role: Role
    confirm_admin: bool = False


class ActiveChange(StrictBody):
    """false deactivates the account and signs the person out everywhere; true restores it."""

    active: bool


class NewPassword(StrictBody):
    """Someone else's new password (never one's own: the account page asks for the current one).
    It ends their sessions and lifts their sign-in locks."""

    password: str


class CareTeam(msgspec.Struct):
    patient_id: int
    care_team: list[TeamMember]
