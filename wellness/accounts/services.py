"""Account use cases: registration, sign-in, roles and deactivation."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from wellness.accounts import passwords
from wellness.accounts.display import Theme
from wellness.accounts.models import MAX_EMAIL_LENGTH, PasswordReset, User
from wellness.accounts.roles import Role
from wellness.db import raw_query
from wellness.lib.paging import page_bounds
from wellness.lib.text import one_line
from wellness.lib.validation import FieldError
from wellness.lib.zones import zone_named

# Deliberately loose: one @, something on both sides, a dot in the domain. Delivery proves the rest.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_DISPLAY_NAME = 120


class AccountError(FieldError):
    """A request about an account that we refuse, naming the field at fault; `problems` has
    every field at fault, where several were checked at once (a form answers them all)."""

    def __init__(self, field: str, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(field, message)
        self.problems = problems or {field: message}

    @property
    def errors(self) -> dict[str, str]:
        """Every field at fault, as the JSON API's refusal lists them."""
        return dict(self.problems)


@dataclass(frozen=True, slots=True)
class NewAccount:
    """A new account's fields. `password` None: the account is made without one (an invitation
    by e-mail lets the person choose it); nobody can sign in to it until then."""

    email: str
    display_name: str
    role: Role
    password: str | None
    time_zone: str = "UTC"


def normalize_email(email: str) -> str:
    # One line: a NUL would reach PostgreSQL, which stores none in text and refuses the query.
    return one_line(email).lower()


def check_new_account(account: NewAccount) -> NewAccount:
    """Validate and normalise every field; AccountError names the first field at fault and
    holds the problems of every field in `problems`."""
    display_name, email, problems = _checked_name_and_email(account.display_name, account.email)
    try:
        time_zone = check_time_zone(account.time_zone)
    except AccountError as problem:
        problems[problem.field] = problem.message
    if account.password is not None:
        password = passwords.password_problem(
            account.password, email=email, display_name=display_name
        )
        if password is not None:
            problems["password"] = password
    if problems:
        field, message = next(iter(problems.items()))
        raise AccountError(field, message, problems)
    return NewAccount(email, display_name, account.role, account.password, time_zone)


def _checked_name_and_email(display_name: str, email: str) -> tuple[str, str, dict[str, str]]:
    problems: dict[str, str] = {}
    email = normalize_email(email)
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL_SHAPE.match(email):
        problems["email"] = "Enter an e-mail address such as name@clinic.org."
    display_name = one_line(display_name)
    if not display_name:
        problems["display_name"] = "Enter a display name."
    elif len(display_name) > MAX_DISPLAY_NAME:
        problems["display_name"] = f"Use at most {MAX_DISPLAY_NAME} characters."
    return display_name, email, problems


async def change_name_and_email(target: User, display_name: str, email: str) -> list[str]:
    """Correct an account's name and e-mail address (an administrator's change); answers which
    of the two changed. AccountError names every field at fault; an address another account
    has is refused. Sign-in uses the new address at once; nobody is signed out. A new address
    voids the password reset links not yet used, which went to the old one."""
    display_name, email, problems = _checked_name_and_email(display_name, email)
    taken = "email" not in problems and email != target.email
    if taken and await User.filter(email=email).exclude(id=target.id).exists():
        problems["email"] = "Another account already has this e-mail address."
    if problems:
        field, message = next(iter(problems.items()))
        raise AccountError(field, message, problems)
    changed = [
        name
        for name, old, new in (
            ("display_name", target.display_name, display_name),
            ("email", target.email, email),
        )
        if old != new
    ]
    if changed:
        try:
            async with in_transaction():
                await User.filter(id=target.id).update(display_name=display_name, email=email)
                if "email" in changed:  # a link mailed to the old address opens nothing now
                    await void_password_resets(target.id)
        except IntegrityError:  # the address was taken a moment ago
            message = "Another account already has this e-mail address."
            raise AccountError("email", message) from None
        target.display_name, target.email = display_name, email
    return changed


def check_time_zone(name: str) -> str:
    """The zone's name as the system knows it, from its name in any case or its city alone."""
    typed = one_line(name)
    if not typed:
        raise AccountError("time_zone", "Choose a time zone, e.g. Europe/Berlin or just Berlin.")
    found = zone_named(typed)
    if found is None:
        raise AccountError(
            "time_zone",
            f"No time zone is called \u201c{typed[:60]}\u201d; type a city such as Berlin, or a "
            "name such as Europe/Berlin.",
        )
    return found


async def register(account: NewAccount, *, is_demo: bool = False) -> User:
    checked = check_new_account(account)
    password_hash = passwords.UNUSABLE_PASSWORD
    if checked.password is not None:
        password_hash = await asyncio.to_thread(passwords.hash_password, checked.password)
    return await create_user(
        email=checked.email,
        display_name=checked.display_name,
        role=checked.role,
        time_zone=checked.time_zone,
        password_hash=password_hash,
        is_demo=is_demo,
    )


async def create_user(
    *,
    email: str,
    display_name: str,
    role: Role,
    password_hash: str,
    time_zone: str = "UTC",
    is_demo: bool = False,
) -> User:
    email = normalize_email(email)
    if await User.filter(email=email).exists():
        raise AccountError("email", "An account with this e-mail address already exists.")
    try:
        return await User.create(
            email=email,
            display_name=display_name,
            role=role,
            time_zone=time_zone,
            password_hash=password_hash,
            is_demo=is_demo,
        )
    except IntegrityError:  # a concurrent registration won the race
        raise AccountError("email", "An account with this e-mail address already exists.") from None


@dataclass(frozen=True, slots=True)
class CredentialCheck:
    """`user` when the credentials are right; `account_id` names the account the e-mail address
    belongs to either way (None when there is none), for the audit log."""

    user: User | None
    account_id: int | None


async def authenticate(email: str, password: str, *, now: datetime) -> User | None:
    """The active user with these credentials, or None. Costs the same for unknown accounts."""
    return (await check_credentials(email, password, now=now)).user


async def check_credentials(email: str, password: str, *, now: datetime) -> CredentialCheck:
    """Check a sign-in; on success record it. Costs the same for unknown accounts."""
    user = await find_by_email(email)
    stored_hash = user.password_hash if user is not None else passwords.dummy_hash()
    matches = await asyncio.to_thread(passwords.verify_password, stored_hash, password)
    if user is None or not matches or not user.is_active:
        return CredentialCheck(None, None if user is None else user.id)
    updates: dict[str, object] = {"last_login_at": now}
    if passwords.needs_rehash(user.password_hash):
        updates["password_hash"] = await asyncio.to_thread(passwords.hash_password, password)
    await User.filter(id=user.id).update(**updates)
    user.last_login_at = now
    return CredentialCheck(user, user.id)


async def signed_in_user(user_id: int, epoch: int) -> User | None:
    """The user a session belongs to, if that session has not been ended since.

    Every signed-in request asks this, so the statement is written out rather than built by the
    ORM each time (a fifth of the signed-in floor's CPU time in bench/dashboard.py)."""
    connection, sql = raw_query()
    statement = (
        "SELECT * FROM users"  # noqa: S608 - placeholders only
        f" WHERE id = {sql.param(user_id)} AND session_epoch = {sql.param(epoch)}"
        f" AND is_active = {sql.param(True)}"
    )
    _, rows = await connection.execute_query(statement, sql.params)
    return User._init_from_db(**dict(rows[0])) if rows else None


async def end_all_sessions(user_id: int) -> None:
    await User.filter(id=user_id).update(session_epoch=F("session_epoch") + 1)


async def get_user(user_id: int) -> User | None:
    return await User.get_or_none(id=user_id)


async def find_by_email(email: str) -> User | None:
    """The account with this address; None for an address no account can have (too long for
    the column, which the ORM would refuse to look up at all)."""
    normal = normalize_email(email)
    if len(normal) > MAX_EMAIL_LENGTH:
        return None
    return await User.get_or_none(email=normal)


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[User]
    page: int
    pages: int
    total: int


async def list_users(
    *,
    page: int = 1,
    per_page: int = 25,
    search: str = "",
    role: Role | None = None,
    active: bool | None = None,
    invited: bool = False,
    among: QuerySet[User] | None = None,
) -> UserPage:
    """A page of the accounts, by role and name; those `among` a narrower set, if given, with
    this role and `is_active` (None: any), only those without a password yet if `invited`,
    whose name or e-mail contains `search`."""
    query = User.all() if among is None else among
    # One line: a NUL would reach PostgreSQL, which stores none in text and refuses the query.
    if term := one_line(search):
        query = query.filter(Q(email__icontains=term) | Q(display_name__icontains=term))
    if role is not None:
        query = query.filter(role=role)
    if active is not None:
        query = query.filter(is_active=active)
    if invited:
        query = query.filter(password_hash=passwords.UNUSABLE_PASSWORD)
    total = await query.count()
    page, pages, offset = page_bounds(total, page, per_page)
    users = await query.order_by("role", "display_name", "id").offset(offset).limit(per_page)
    return UserPage(users=users, page=page, pages=pages, total=total)


async def set_role(user_id: int, role: Role) -> None:
    # A new role means new permissions: sessions opened under the old one end.
    await User.filter(id=user_id).update(role=role, session_epoch=F("session_epoch") + 1)


async def set_active(user_id: int, active: bool) -> None:
    await User.filter(id=user_id).update(is_active=active, session_epoch=F("session_epoch") + 1)


async def set_password(user: User, password: str) -> None:
    """A new password (any route: an administrator, the account page, a reset link): every
    session of the person ends and every reset link of theirs not yet used is void."""
    password_hash = await checked_password_hash(user, password)
    async with in_transaction():
        await store_password_hash(user.id, password_hash)


async def checked_password_hash(user: User, password: str) -> str:
    """The hash of an acceptable new password for `user`; AccountError names `password`.
    Hashed outside any transaction: it takes a worker thread tens of milliseconds."""
    problem = passwords.password_problem(password, email=user.email, display_name=user.display_name)
    if problem is not None:
        raise AccountError("password", problem)
    return await asyncio.to_thread(passwords.hash_password, password)


async def store_password_hash(user_id: int, password_hash: str) -> None:
    """Store a new password's hash, end every session and void every unused reset link (call
    inside a transaction, with the link just used already marked used)."""
    await User.filter(id=user_id).update(
        password_hash=password_hash, session_epoch=F("session_epoch") + 1
    )
    await void_password_resets(user_id)


async def void_password_resets(user_id: int) -> int:
    """Delete the account's reset links not yet used (their unsent e-mails go with them)."""
    return await PasswordReset.filter(user_id=user_id, used_at__isnull=True).delete()


async def count_by_role() -> dict[Role, int]:
    counts = dict.fromkeys(Role, 0)
    roles: list[str] = await User.filter(is_active=True).values_list("role", flat=True)  # type: ignore[assignment]
    for role in roles:
        counts[Role(role)] += 1
    return counts


async def account_for_admin(viewer: User, user_id: int) -> User | None:
    """The account an administrator asked for; None for anyone else, so the answer is a 404."""
    if viewer.role is not Role.ADMIN:
        return None
    return await User.get_or_none(id=user_id)


async def change_role(viewer: User, target: User, role: Role) -> None:
    if target.id == viewer.id and role is not Role.ADMIN:
        raise AccountError(
            "role", "You can't remove your own administrator role; ask another administrator."
        )
    async with in_transaction():
        if role is not Role.ADMIN:
            await _keep_an_administrator(target.id, "role")
        await set_role(target.id, role)


async def change_active(viewer: User, target: User, active: bool) -> None:
    if target.id == viewer.id and not active:
        raise AccountError("active", "You can't deactivate your own account.")
    async with in_transaction():
        if not active:
            await _keep_an_administrator(target.id, "active")
        await set_active(target.id, active)


async def _keep_an_administrator(user_id: int, field: str) -> None:
    """Refuse a change that would leave no active administrator. Every active administrator's
    row is locked first, so two administrators demoting or deactivating each other at once
    cannot both pass: the second waits, then counts what the first left (on PostgreSQL;
    SQLite runs one transaction at a time)."""
    admins = await User.select_for_update().filter(role=Role.ADMIN, is_active=True)
    if [admin.id for admin in admins] == [user_id]:
        raise AccountError(
            field, "This is the only active administrator left; make someone else one first."
        )


async def change_own_password(user: User, current_password: str, new_password: str) -> User:
    """Change a password after re-checking the current one; returns the refreshed user.
    Problems name the form's fields: `current_password`, then `new_password`."""
    if not current_password:
        raise AccountError("current_password", "Enter your current password.")
    matches = await asyncio.to_thread(
        passwords.verify_password, user.password_hash, current_password
    )
    if not matches:
        raise AccountError("current_password", "That is not your current password.")
    try:
        await set_password(user, new_password)
    except AccountError as problem:
        raise AccountError("new_password", problem.message) from None
    return await User.get(id=user.id)


async def change_time_zone(user: User, time_zone: str) -> None:
    checked = check_time_zone(time_zone)
    await User.filter(id=user.id).update(time_zone=checked)


async def set_hide_streaks(user: User, hide: bool) -> None:
    await User.filter(id=user.id).update(hide_streaks=hide)
    user.hide_streaks = hide


async def set_alert_emails(user: User, on: bool) -> bool:
    """A therapist's choice to receive alert e-mails; whether it changed."""
    changed = await User.filter(id=user.id, alert_emails=not on).update(alert_emails=on)
    user.alert_emails = on
    return changed > 0


async def set_theme(user: User, theme: Theme) -> None:
    """Someone's choice of display, for every role (not audited, as hiding streaks is not: it
    says nothing about their care)."""
    await User.filter(id=user.id).update(theme=theme)
    user.theme = theme


async def display_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await User.filter(id__in=user_ids).values_list("id", "display_name")
    return {int(user_id): str(name) for user_id, name in rows}
