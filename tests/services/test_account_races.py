"""Account changes that arrive at the same moment: the clinic never loses its last administrator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role

Change = Callable[[User, User], Awaitable[None]]
DEMOTE: Change = lambda viewer, target: accounts.change_role(viewer, target, Role.PATIENT)  # noqa: E731
DEACTIVATE: Change = lambda viewer, target: accounts.change_active(viewer, target, False)  # noqa: E731


def make_admin(orm: Orm, name: str) -> User:
    return orm.run(
        accounts.create_user(
            email=f"{name}@clinic.org",
            display_name=name.title(),
            role=Role.ADMIN,
            password_hash=passwords.dummy_hash(),
        )
    )


def active_admins(orm: Orm) -> list[int]:
    async def ids() -> list[int]:
        return [user.id for user in await User.filter(role=Role.ADMIN, is_active=True)]

    return orm.run(ids())


@pytest.mark.parametrize("change", [DEMOTE, DEACTIVATE], ids=["demote", "deactivate"])
def test_two_administrators_removing_each_other_at_once_leave_one(
    any_orm: Orm, change: Change
) -> None:
    ada, bo = make_admin(any_orm, "ada"), make_admin(any_orm, "bo")

    async def race() -> list[BaseException | None]:
        return list(await asyncio.gather(change(ada, bo), change(bo, ada), return_exceptions=True))

    results = any_orm.run(race())

    refused = [result for result in results if isinstance(result, accounts.AccountError)]
    assert len(refused) == 1, results
    assert results.count(None) == 1
    assert "only active administrator left" in refused[0].message
    assert len(active_admins(any_orm)) == 1


def test_the_last_administrator_cannot_be_removed_by_another_account(any_orm: Orm) -> None:
    ada, bo = make_admin(any_orm, "ada"), make_admin(any_orm, "bo")
    any_orm.run(DEMOTE(ada, bo))

    with pytest.raises(accounts.AccountError) as demoted:
        # Bo's page was opened while Bo was still an administrator.
        any_orm.run(DEMOTE(bo, ada))
    with pytest.raises(accounts.AccountError) as deactivated:
        any_orm.run(DEACTIVATE(bo, ada))

    assert (demoted.value.field, deactivated.value.field) == ("role", "active")
    assert active_admins(any_orm) == [ada.id]


def test_an_administrator_among_several_can_be_demoted(any_orm: Orm) -> None:
    ada, bo, cy = (make_admin(any_orm, name) for name in ("ada", "bo", "cy"))

    any_orm.run(DEMOTE(ada, bo))
    any_orm.run(DEACTIVATE(ada, cy))

    assert active_admins(any_orm) == [ada.id]
