"""`wellness users ...`: create accounts, change their role or state, and build caseloads."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wellness.cli.common import command_clock, command_settings, run_with_database

if TYPE_CHECKING:
    from wellness.accounts.models import User
    from wellness.accounts.services import NewAccount

T = TypeVar("T")
ROLES = click.Choice(["patient", "therapist", "coordinator", "admin"])


@click.group()
def users() -> None:
    """Create and manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Display name, e.g. 'Dr. Rivera'.")
@click.option("--role", type=ROLES, required=True)
@click.option(
    "--timezone",
    "time_zone",
    default="UTC",
    show_default=True,
    help="IANA zone, e.g. Europe/Berlin.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--invite",
    is_flag=True,
    help="No password: e-mail the person a link to choose one (needs WELLNESS_SMTP_URL; the "
    "running server sends it within a minute).",
)
def users_create(
    email: str, display_name: str, role: str, time_zone: str, password_stdin: bool, invite: bool
) -> None:
    """Create an account; prompts for the password unless --password-stdin or --invite is
    given."""
    from wellness.accounts import services as accounts
    from wellness.accounts.roles import Role

    if invite and password_stdin:
        raise click.ClickException("Give either --invite or --password-stdin, not both.")
    if invite:
        _create_invited(accounts.NewAccount(email, display_name, Role(role), None, time_zone))
        return
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    account = accounts.NewAccount(email, display_name, Role(role), password, time_zone)
    user = _account_command(lambda: accounts.register(account))
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


def _create_invited(account: NewAccount) -> None:
    """The account without a password, and its invitation waiting in the outbox for the
    server's e-mail loop (which looks every 30 seconds)."""
    from wellness.accounts import services as accounts
    from wellness.notifications import password_reset_mail

    settings = command_settings()
    if settings.mail is None:
        raise click.ClickException(
            "--invite needs e-mail: set WELLNESS_SMTP_URL (and the sender and public URL), or "
            "give a password instead."
        )
    now = command_clock().now()

    async def work() -> User:
        user = await accounts.register(account)
        await password_reset_mail.invite(user.id, secret_key=settings.secret_key, now=now)
        return user

    user = _account_command(work)
    click.echo(
        f"Created {user.role.value} {user.email} (id {user.id}), invited: an e-mail with a link "
        "to choose a password waits for the server to send it (it works for 7 days)."
    )


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Deactivate an account and end all its sessions."""
    from wellness.accounts import services as accounts

    _change_account(email, lambda user: accounts.set_active(user.id, False))
    click.echo(f"Deactivated {email}; every session of this account has ended.")


@users.command("activate")
@click.argument("email")
def users_activate(email: str) -> None:
    """Re-activate a deactivated account."""
    from wellness.accounts import services as accounts

    _change_account(email, lambda user: accounts.set_active(user.id, True))
    click.echo(f"Activated {email}.")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLES)
def users_set_role(email: str, role: str) -> None:
    """Change an account's role (its sessions end)."""
    from wellness.accounts import services as accounts
    from wellness.accounts.roles import Role

    _change_account(email, lambda user: accounts.set_role(user.id, Role(role)))
    click.echo(f"{email} is now {role}.")


@users.command("list")
def users_list() -> None:
    """List accounts."""
    from wellness.accounts import services as accounts

    async def work() -> list[Any]:
        page = await accounts.list_users(per_page=10_000)
        return page.users

    for user in _account_command(work):
        state = "inactive" if not user.is_active else "invited" if user.invited else "active"
        click.echo(
            f"{user.id:>5}  {user.role.value:<12} {state:<9} {user.email}  {user.display_name}"
        )


@users.command("assign-therapist")
@click.argument("patient_email")
@click.argument("therapist_email")
def users_assign_therapist(patient_email: str, therapist_email: str) -> None:
    """Put a patient on a therapist's caseload."""
    from wellness.care import services as care
    from wellness.lib.validation import FieldError

    now = command_clock().now()

    async def assign(patient: User, therapist: User) -> bool:
        try:
            return await care.assign(therapist, patient, now=now)
        except FieldError as problem:
            raise click.ClickException(problem.message) from None

    added = _change_caseload(patient_email, therapist_email, assign)
    state = "now looks after" if added else "already looked after"
    click.echo(f"{therapist_email} {state} {patient_email}.")


@users.command("unassign-therapist")
@click.argument("patient_email")
@click.argument("therapist_email")
def users_unassign_therapist(patient_email: str, therapist_email: str) -> None:
    """Take a patient off a therapist's caseload (the membership is kept, ended, as history)."""
    from wellness.care import services as care

    now = command_clock().now()
    removed = _change_caseload(
        patient_email,
        therapist_email,
        lambda patient, therapist: care.unassign(therapist.id, patient.id, now=now),
    )
    state = "no longer looks after" if removed else "did not look after"
    click.echo(f"{therapist_email} {state} {patient_email}.")


async def _existing(email: str) -> User:
    from wellness.accounts import services as accounts

    user = await accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with e-mail {email!r}.")
    return user


def _change_account(email: str, change: Callable[[User], Awaitable[object]]) -> None:
    """Apply `change` to the account with this e-mail, naming it when there is none."""

    async def work() -> None:
        await change(await _existing(email))

    _account_command(work)


def _change_caseload(
    patient_email: str, therapist_email: str, change: Callable[[User, User], Awaitable[bool]]
) -> bool:
    """Apply `change` to the patient and the therapist with these e-mails, naming one missing."""

    async def work() -> bool:
        return await change(await _existing(patient_email), await _existing(therapist_email))

    return _account_command(work)


def _account_command(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work` on the database; an account rule it breaks stops the command, naming it."""
    from wellness.accounts.services import AccountError

    try:
        return run_with_database(command_settings(), work)
    except AccountError as problem:
        raise click.ClickException(f"{problem.field}: {problem.message}") from None
