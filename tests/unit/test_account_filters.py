"""The account list's filters read from a query string, and written back into links."""

from __future__ import annotations

import pytest

from wellness.accounts.filters import AccountFilter, AccountStatus, parse
from wellness.accounts.roles import Role


def test_it_reads_every_filter_and_writes_the_same_query_back() -> None:
    pairs = [("role", "patient"), ("status", "active"), ("therapist", "none"), ("page", "2")]

    found, errors = parse(pairs)

    assert errors == {}
    assert found == AccountFilter(Role.PATIENT, AccountStatus.ACTIVE, no_therapist=True, page=2)
    assert found.query() == "role=patient&status=active&therapist=none&page=2"
    assert found.params() == {"role": "patient", "status": "active", "therapist": "none"}
    assert found.described() == "patients, active, no active therapist"


@pytest.mark.parametrize(
    "pairs", [[], [("role", "any"), ("status", "any")], [("role", ""), ("page", "1")]]
)
def test_any_or_empty_values_filter_nothing_and_leave_no_query(
    pairs: list[tuple[str, str]],
) -> None:
    found, errors = parse(pairs)

    assert errors == {}
    assert not found.active
    assert found.query() == ""
    assert found.described() == ""


def test_other_parameters_are_ignored_but_a_search_in_the_address_is_refused() -> None:
    assert parse([("utm_source", "mail")]) == (AccountFilter(), {})
    assert "q" in parse([("q", "smith")])[1]
    assert parse([("q", "smith")], posted=True) == (AccountFilter(), {})


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "1.5", "²", "\u0663", "\uff19", "100001", "1" * 5000]
)
def test_a_page_is_ascii_digits_from_1_to_100000(page: str) -> None:
    found, errors = parse([("page", page)])

    assert errors == {"page": "That page number doesn't exist."}
    assert found.page == 1


def test_a_repeated_parameter_is_refused_not_guessed() -> None:
    found, errors = parse([("status", "active"), ("status", "deactivated")])

    assert errors == {"status": "Give it once."}
    assert found.status is AccountStatus.ANY


def test_invited_asks_for_active_accounts_without_a_password_yet() -> None:
    found, errors = parse([("status", "invited")])

    assert errors == {}
    assert found.status is AccountStatus.INVITED
    assert found.status.is_active is True
    assert found.active
    assert found.query() == "status=invited"
    assert found.described() == "invited"


def test_an_unknown_status_names_the_ones_there_are() -> None:
    assert parse([("status", "pending")])[1] == {
        "status": "Choose active, invited, deactivated or any status."
    }
