from __future__ import annotations

import pytest

from wellness.accounts import passwords


@pytest.mark.parametrize(
    "password", ["password", "Password", "qwerty123", "iloveyou", "trustno1", "12345678"]
)
def test_the_most_common_passwords_are_refused(password: str) -> None:
    problem = passwords.password_problem(password)
    assert problem is not None
    assert "most common" in problem


def test_short_passwords_are_refused() -> None:
    assert passwords.password_problem("a7#kq2") == (
        "Use at least 8 characters (a short phrase is easiest to remember)."
    )


def test_no_composition_rules_apply() -> None:
    assert passwords.password_problem("lowercase only but long enough") is None


def test_passphrases_of_64_characters_and_more_are_accepted() -> None:
    assert (
        passwords.password_problem(
            "p" * 10 + " a passphrase well beyond sixty-four characters in length"
        )
        is None
    )
    assert passwords.password_problem("x" * passwords.MAX_LENGTH + "x") is not None


def test_the_email_or_name_is_not_a_password() -> None:
    assert passwords.password_problem("alice.smith", email="alice.smith@clinic.org") is not None
    assert passwords.password_problem("Alice Smith", display_name="Alice Smith") is not None


def test_hashes_are_argon2id_with_at_least_the_owasp_parameters(production_hashing: None) -> None:
    hashed = passwords.hash_password("a memorable passphrase")
    assert hashed.startswith("$argon2id$")
    parameters = dict(part.split("=") for part in hashed.split("$")[3].split(","))
    assert int(parameters["m"]) >= 19 * 1024
    assert int(parameters["t"]) >= 2
    assert int(parameters["p"]) == 1
    assert passwords.verify_password(hashed, "a memorable passphrase")
    assert not passwords.verify_password(hashed, "a memorable passphrasE")
    assert not passwords.verify_password("not a hash", "anything")
    assert not passwords.needs_rehash(hashed)


def test_weaker_old_hashes_need_rehashing(production_hashing: None) -> None:
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
        "a memorable passphrase"
    )
    assert passwords.needs_rehash(old)
