"""Account use cases, called directly (no HTTP): registration, sign-in, roles and sessions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher

from tests.services.conftest import Orm
from wellness.accounts import passwords
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role

PASSWORD = "a quiet lake at dawn"
NOW = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)


def _register(
    orm: Orm, email: str, *, role: Role = Role.PATIENT, name: str = "Ann Example"
) -> User:
    account = accounts.NewAccount(email=email, display_name=name, role=role, password=PASSWORD)
    return orm.run(accounts.register(account))


def _load(orm: Orm, user_id: int) -> User:
    return orm.run(User.get(id=user_id))


def test_it_stores_a_registered_email_trimmed_and_lowercased(orm: Orm) -> None:
    user = _register(orm, "  Ann.Example@Clinic.ORG ", name="  Ann   Example ")

    stored = _load(orm, user.id)
    assert stored.email == "ann.example@clinic.org"
    assert stored.display_name == "Ann Example"
    assert stored.role is Role.PATIENT
    assert stored.session_epoch == 0
    assert stored.is_active is True
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash


def test_it_refuses_a_duplicate_email_whatever_its_case(orm: Orm) -> None:
    first = _register(orm, "ann@clinic.org")

    with pytest.raises(accounts.AccountError) as refusal:
        _register(orm, "ANN@Clinic.Org", name="Someone Else")

    assert refusal.value.field == "email"
    assert orm.run(User.all().values_list("id", "email")) == [(first.id, "ann@clinic.org")]


def test_it_refuses_a_duplicate_email_from_create_user_too(orm: Orm) -> None:
    _register(orm, "ann@clinic.org")

    with pytest.raises(accounts.AccountError, match="already exists"):
        orm.run(
            accounts.create_user(
                email="Ann@CLINIC.org",
                display_name="Copy",
                role=Role.ADMIN,
                password_hash=passwords.hash_password(PASSWORD),
            )
        )
    assert orm.run(User.all().count()) == 1


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("email", {"email": "not-an-address"}),
        ("display_name", {"display_name": "   "}),
        ("time_zone", {"time_zone": "Mars/Olympus"}),
        ("password", {"password": "password"}),
    ],
)
def test_it_refuses_a_bad_field_and_creates_nothing(
    orm: Orm, field: str, changes: dict[str, str]
) -> None:
    fields = {"email": "bo@clinic.org", "display_name": "Bo", "password": PASSWORD, **changes}
    account = accounts.NewAccount(role=Role.PATIENT, **fields)

    with pytest.raises(accounts.AccountError) as refusal:
        orm.run(accounts.register(account))

    assert refusal.value.field == field
    assert orm.run(User.all().count()) == 0


def test_it_authenticates_with_any_case_of_the_email_and_records_the_time(orm: Orm) -> None:
    user = _register(orm, "ann@clinic.org")

    signed_in = orm.run(accounts.authenticate(" ANN@clinic.org", PASSWORD, now=NOW))

    assert signed_in is not None
    assert signed_in.id == user.id
    assert _load(orm, user.id).last_login_at == NOW


def test_it_authenticates_no_one_for_a_wrong_password(orm: Orm) -> None:
    user = _register(orm, "ann@clinic.org")

    assert orm.run(accounts.authenticate("ann@clinic.org", PASSWORD + "!", now=NOW)) is None
    assert _load(orm, user.id).last_login_at is None


def test_it_authenticates_no_one_for_an_unknown_email(orm: Orm) -> None:
    _register(orm, "ann@clinic.org")

    assert orm.run(accounts.authenticate("bob@clinic.org", PASSWORD, now=NOW)) is None


def test_it_authenticates_no_one_for_an_inactive_account(orm: Orm) -> None:
    user = _register(orm, "ann@clinic.org")
    orm.run(accounts.set_active(user.id, False))

    assert orm.run(accounts.authenticate("ann@clinic.org", PASSWORD, now=NOW)) is None
    assert _load(orm, user.id).last_login_at is None


def test_it_spends_a_password_check_on_unknown_accounts_too(
    orm: Orm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown accounts cost the same Argon2 verification, against the dummy hash."""
    checked: list[str] = []
    real_verify = passwords.verify_password

    def recording_verify(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", recording_verify)

    assert orm.run(accounts.authenticate("nobody@clinic.org", PASSWORD, now=NOW)) is None
    assert checked == [passwords.dummy_hash()]


def test_it_rehashes_the_password_at_sign_in_when_the_parameters_change(
    orm: Orm, monkeypatch: pytest.MonkeyPatch, production_hashing: None
) -> None:
    user = _register(orm, "ann@clinic.org")
    old_hash = _load(orm, user.id).password_hash
    assert "m=19456,t=2,p=1" in old_hash
    stronger = PasswordHasher(time_cost=3, memory_cost=19 * 1024, parallelism=1)
    monkeypatch.setattr(passwords, "HASHER", stronger)

    assert orm.run(accounts.authenticate("ann@clinic.org", PASSWORD, now=NOW)) is not None

    new_hash = _load(orm, user.id).password_hash
    assert new_hash != old_hash
    assert "m=19456,t=3,p=1" in new_hash
    assert stronger.verify(new_hash, PASSWORD)
    assert not stronger.check_needs_rehash(new_hash)

    # The next sign-in finds nothing to upgrade and keeps the hash.
    assert orm.run(accounts.authenticate("ann@clinic.org", PASSWORD, now=NOW)) is not None
    assert _load(orm, user.id).password_hash == new_hash


def test_it_keeps_the_hash_when_the_parameters_are_unchanged(
    orm: Orm, production_hashing: None
) -> None:
    user = _register(orm, "ann@clinic.org")
    old_hash = _load(orm, user.id).password_hash

    assert orm.run(accounts.authenticate("ann@clinic.org", PASSWORD, now=NOW)) is not None
    assert _load(orm, user.id).password_hash == old_hash


def test_it_does_not_rehash_on_a_failed_sign_in(orm: Orm, monkeypatch: pytest.MonkeyPatch) -> None:
    user = _register(orm, "ann@clinic.org")
    old_hash = _load(orm, user.id).password_hash
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=3, memory_cost=19 * 1024))

    assert orm.run(accounts.authenticate("ann@clinic.org", "wrong but long", now=NOW)) is None
    assert _load(orm, user.id).password_hash == old_hash


def test_it_ends_every_session_when_the_role_changes(orm: Orm) -> None:
    user = _register(orm, "ann@clinic.org")
    assert orm.run(accounts.signed_in_user(user.id, 0)) is not None

    orm.run(accounts.set_role(user.id, Role.THERAPIST))

    stored = _load(orm, user.id)
    assert (stored.role, stored.session_epoch) == (Role.THERAPIST, 1)
    assert orm.run(accounts.signed_in_user(user.id, 0)) is None
    assert orm.run(accounts.signed_in_user(user.id, 1)) is not None


def test_it_ends_every_session_on_deactivation_and_reactivation_does_not_revive_them(
    orm: Orm,
) -> None:
    user = _register(orm, "ann@clinic.org")

    orm.run(accounts.set_active(user.id, False))
    stored = _load(orm, user.id)
    assert (stored.is_active, stored.session_epoch) == (False, 1)
    assert orm.run(accounts.signed_in_user(user.id, 1)) is None  # inactive: no session at all

    orm.run(accounts.set_active(user.id, True))
    stored = _load(orm, user.id)
    assert (stored.is_active, stored.session_epoch) == (True, 2)
    assert orm.run(accounts.signed_in_user(user.id, 0)) is None
    assert orm.run(accounts.signed_in_user(user.id, 1)) is None
    assert orm.run(accounts.signed_in_user(user.id, 2)) is not None


def test_it_ends_all_sessions_of_one_user_only(orm: Orm) -> None:
    ann = _register(orm, "ann@clinic.org")
    bob = _register(orm, "bob@clinic.org", name="Bob Example")

    orm.run(accounts.end_all_sessions(ann.id))
    orm.run(accounts.end_all_sessions(ann.id))

    assert _load(orm, ann.id).session_epoch == 2
    assert _load(orm, bob.id).session_epoch == 0
    assert orm.run(accounts.signed_in_user(bob.id, 0)) is not None


def test_it_ends_every_session_when_the_password_changes(orm: Orm) -> None:
    user = _register(orm, "ann@clinic.org")
    old_hash = _load(orm, user.id).password_hash

    orm.run(accounts.set_password(_load(orm, user.id), "an entirely new phrase"))

    stored = _load(orm, user.id)
    assert stored.session_epoch == 1
    assert stored.password_hash != old_hash
    assert orm.run(accounts.authenticate("ann@clinic.org", PASSWORD, now=NOW)) is None
    assert orm.run(accounts.authenticate("ann@clinic.org", "an entirely new phrase", now=NOW))


def test_it_refuses_to_let_an_admin_demote_or_deactivate_themselves(orm: Orm) -> None:
    admin = _register(orm, "ada@clinic.org", role=Role.ADMIN, name="Ada Admin")

    with pytest.raises(accounts.AccountError) as demotion:
        orm.run(accounts.change_role(admin, admin, Role.PATIENT))
    with pytest.raises(accounts.AccountError) as deactivation:
        orm.run(accounts.change_active(admin, admin, False))

    assert (demotion.value.field, deactivation.value.field) == ("role", "active")
    stored = _load(orm, admin.id)
    assert (stored.role, stored.is_active, stored.session_epoch) == (Role.ADMIN, True, 0)


def test_it_lists_users_a_page_at_a_time_and_clamps_a_page_past_the_end(orm: Orm) -> None:
    for number in range(5):
        _register(orm, f"bulk{number}@clinic.org", name=f"Bulk {number}")

    second = orm.run(accounts.list_users(page=2, per_page=2))
    past_end = orm.run(accounts.list_users(page=9, per_page=2))

    assert (second.page, second.pages, second.total) == (2, 3, 5)
    assert [user.email for user in second.users] == ["bulk2@clinic.org", "bulk3@clinic.org"]
    assert (past_end.page, past_end.pages) == (3, 3)
    assert [user.email for user in past_end.users] == ["bulk4@clinic.org"]
