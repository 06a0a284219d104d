"""Everyone's choice of display: "device" until they choose, stored for them alone, on both
databases."""

from __future__ import annotations

from tests.caseload_fixtures import person
from tests.services.conftest import Orm
from wellness.accounts import services as accounts
from wellness.accounts.display import Theme, parse_theme
from wellness.accounts.models import User
from wellness.accounts.roles import Role


def test_a_new_account_follows_its_device(any_orm: Orm) -> None:
    alice = any_orm.run(person("alice", Role.PATIENT))

    assert alice.theme is Theme.DEVICE
    assert any_orm.run(User.get(id=alice.id)).theme is Theme.DEVICE


def test_a_choice_is_stored_for_that_person_only(any_orm: Orm) -> None:
    alice = any_orm.run(person("alice", Role.PATIENT))
    bob = any_orm.run(person("bob", Role.THERAPIST))

    any_orm.run(accounts.set_theme(alice, Theme.DARK))

    assert alice.theme is Theme.DARK
    assert any_orm.run(User.get(id=alice.id)).theme is Theme.DARK
    assert any_orm.run(User.get(id=bob.id)).theme is Theme.DEVICE

    any_orm.run(accounts.set_theme(alice, Theme.LIGHT))
    assert any_orm.run(User.get(id=alice.id)).theme is Theme.LIGHT


def test_a_signed_in_request_reads_the_choice(any_orm: Orm) -> None:
    """Pages learn it from the one query every signed-in request makes."""
    alice = any_orm.run(person("alice", Role.PATIENT))
    any_orm.run(accounts.set_theme(alice, Theme.DARK))

    signed_in = any_orm.run(accounts.signed_in_user(alice.id, alice.session_epoch))

    assert signed_in is not None
    assert signed_in.theme is Theme.DARK


def test_only_the_three_names_are_themes() -> None:
    assert [parse_theme(text) for text in ("device", "light", "dark")] == list(Theme)
    assert [parse_theme(text) for text in ("Dark", " dark", "black", "", "auto")] == [None] * 5
    assert [theme.label for theme in Theme] == ["As my device", "Light", "Dark"]
