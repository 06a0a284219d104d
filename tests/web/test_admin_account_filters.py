"""The account list's filters: role, status and "no therapist" in the page's address (the search
stays in the session), combined with the search and kept across pages; a filter it cannot read
is a 400 naming it that changes nothing; only administrators may use any of it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import PERSONAS, Client
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit.models import AuditEvent
from wellness.care import services as care

# Both therapists are on a care team in the personas' world, so no persona is "unwatched".
STAFF_EMAILS = ["therapist@example.org", "other.therapist@example.org"]
PATIENT_EMAILS = ["patient@example.org", "other.patient@example.org"]
EVERY_EMAIL = [persona.email for persona in PERSONAS.values()]


# --- helpers ----------------------------------------------------------------------------------


def listed_emails(page: httpx.Response) -> list[str]:
    """The e-mail addresses in the account table, in its order."""
    return [
        unescape(found)
        for found in re.findall(r'<td role="cell" class="email"[^>]*>([^<]*)<', page.text)
    ]


def summary(page: httpx.Response) -> str:
    found = re.search(r'<p class="table-summary" id="accounts-summary">(.*?)</p>', page.text, re.S)
    return " ".join(unescape(found[1]).split()) if found else ""


def card_names(page: httpx.Response) -> set[str]:
    """The patients the overview's "Patients without a therapist" card names."""
    card = page.text.split('id="unwatched-heading"', 1)[1].split("</section>", 1)[0]
    return {unescape(name) for name in re.findall(r'#care-heading">([^<]*)</a>', card)}


def listed_names(page: httpx.Response) -> set[str]:
    return {
        unescape(name)
        for name in re.findall(r'<a href="/admin/users/\d+">([^<]*)</a></th>', page.text)
    }


def add_accounts(
    client: Client, prefix: str, count: int, *, role: Role, active: bool = True
) -> None:
    async def create() -> None:
        for number in range(count):
            await User.create(
                email=f"{prefix}{number:02}@example.org",
                display_name=f"{prefix.capitalize()} {number:02}",
                role=role,
                is_active=active,
                password_hash="x",
            )

    client.run(create)


def set_active(client: Client, email: str, active: bool) -> None:
    async def switch() -> None:
        await User.filter(email=email).update(is_active=active)

    client.run(switch)


def unassign(client: Client, therapist: User, patient: User) -> None:
    async def end() -> None:
        await care.unassign(therapist.id, patient.id, now=client.now())

    client.run(end)


def audit_rows(client: Client) -> list[AuditEvent]:
    async def rows() -> list[AuditEvent]:
        return await AuditEvent.all().order_by("id")

    return client.run(rows)


def newest_audit_id(client: Client) -> int:
    rows = audit_rows(client)
    return rows[-1].id if rows else 0


def pager_link(page: httpx.Response, number: int) -> str:
    found = re.search(
        rf'<a href="(\?[^"]*)"[^>]*><span class="visually-hidden">Page </span>{number}</a>',
        page.text,
    )
    assert found, f"no link to page {number}"
    return unescape(found[1])


# --- each filter ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("patient", PATIENT_EMAILS),
        ("therapist", STAFF_EMAILS),
        ("coordinator", ["coordinator@example.org"]),
        ("admin", ["admin@example.org"]),
    ],
)
def test_it_lists_only_the_role_asked_for(as_admin: Client, role: str, expected: list[str]) -> None:
    page = as_admin.get("/admin/users", params={"role": role})

    assert page.status_code == 200
    assert sorted(listed_emails(page)) == sorted(expected)
    assert summary(page).startswith(
        f"{len(expected)} account{'s' if len(expected) > 1 else ''} ({role}s)"
    )
    assert f'<option value="{role}" selected>' in page.text


def test_any_role_and_any_status_list_every_account(as_admin: Client) -> None:
    set_active(as_admin, "other.patient@example.org", False)

    for params in (
        {},
        {"role": "any", "status": "any"},
        {"role": "", "status": "", "therapist": ""},
    ):
        page = as_admin.get("/admin/users", params=params)
        assert page.status_code == 200
        assert sorted(listed_emails(page)) == sorted(EVERY_EMAIL), params
        assert 'href="/admin/users">Clear filters</a>' not in page.text


def test_it_lists_active_or_deactivated_accounts_as_asked(as_admin: Client) -> None:
    set_active(as_admin, "other.patient@example.org", False)
    set_active(as_admin, "other.therapist@example.org", False)

    deactivated = as_admin.get("/admin/users", params={"status": "deactivated"})
    active = as_admin.get("/admin/users", params={"status": "active"})

    assert deactivated.status_code == active.status_code == 200
    assert sorted(listed_emails(deactivated)) == [
        "other.patient@example.org",
        "other.therapist@example.org",
    ]
    assert sorted(listed_emails(active)) == sorted(
        set(EVERY_EMAIL) - {"other.patient@example.org", "other.therapist@example.org"}
    )
    assert summary(deactivated).startswith("2 accounts (deactivated).")
    assert (
        'id="filter-status-deactivated" name="status" value="deactivated" checked'
        in deactivated.text
    )


def test_it_lists_the_accounts_invited_that_have_no_password_yet(as_admin: Client) -> None:
    def invited(email: str) -> None:
        account = accounts.NewAccount(email, "Ivy Invited", Role.PATIENT, None, "Europe/Berlin")
        as_admin.run(lambda: accounts.register(account))

    invited("ivy@example.org")
    invited("gone.ivy@example.org")
    set_active(as_admin, "gone.ivy@example.org", False)

    page = as_admin.get("/admin/users", params={"status": "invited"})
    active = as_admin.get("/admin/users", params={"status": "active"})
    answer = as_admin.get("/api/v1/users", params={"status": "invited"})

    assert page.status_code == active.status_code == answer.status_code == 200
    assert listed_emails(page) == ["ivy@example.org"]  # a deactivated one is invited no more
    assert summary(page).startswith("1 account (invited).")
    assert 'id="filter-status-invited" name="status" value="invited" checked' in page.text
    assert "ivy@example.org" in listed_emails(active)
    assert [item["email"] for item in answer.json()["items"]] == ["ivy@example.org"]


def test_the_no_therapist_filter_lists_the_patients_the_overview_card_names(
    as_admin: Client, personas: dict[str, User]
) -> None:
    # Alice is taken off her therapist's caseload; Charlie's only therapist is deactivated (still
    # on his team, seeing nothing). A deactivated patient without a therapist is on neither list,
    # nor is a patient whose therapist is active.
    unassign(as_admin, personas["therapist"], personas["patient"])
    set_active(as_admin, "other.therapist@example.org", False)
    add_accounts(as_admin, "gone", 1, role=Role.PATIENT, active=False)
    add_accounts(as_admin, "watched", 1, role=Role.PATIENT)
    watched = as_admin.user("watched00@example.org")
    as_admin.run(lambda: care.assign(personas["therapist"], watched, now=as_admin.now()))
    marker = newest_audit_id(as_admin)

    overview = as_admin.get("/admin")
    filtered = as_admin.get("/admin/users", params={"therapist": "none"})

    assert overview.status_code == filtered.status_code == 200
    assert card_names(overview) == {"Alice Patient", "Charlie Outsider"}
    assert listed_names(filtered) == card_names(overview)
    assert summary(filtered).startswith("2 accounts (no active therapist).")
    assert 'id="filter-no-therapist" name="therapist" value="none" checked' in filtered.text
    # Audited as the card is: a row per patient named, from the list's own route.
    from_list = [
        row.patient_id
        for row in audit_rows(as_admin)
        if row.id > marker and row.route == "GET /admin/users" and row.action == "account_viewed"
    ]
    assert set(from_list) == {personas["patient"].id, personas["other_patient"].id}
    assert len(from_list) == 2
    assert all(
        row.detail == "unwatched" for row in audit_rows(as_admin) if row.route == "GET /admin/users"
    )


def test_the_overview_card_opens_the_filtered_list_whatever_search_was_kept(
    as_admin: Client, personas: dict[str, User]
) -> None:
    unassign(as_admin, personas["therapist"], personas["patient"])
    set_active(as_admin, "other.therapist@example.org", False)
    as_admin.submit("/admin/users", {"q": "alice"})  # kept from an earlier visit
    overview = as_admin.get("/admin")
    card = overview.text.split('id="unwatched-heading"', 1)[1].split("</section>", 1)[0]
    assert 'action="/admin/users"' in card
    assert '<input type="hidden" name="therapist" value="none">' in card
    assert '<input type="hidden" name="clear" value="1">' in card

    # The button sends what the card's form holds.
    opened = as_admin.submit("/admin/users", {"clear": "1", "therapist": "none"})

    assert opened.status_code == 303
    assert opened.headers["location"] == "/admin/users?therapist=none"
    listed = as_admin.get(opened.headers["location"])
    assert listed_names(listed) == card_names(overview) == {"Alice Patient", "Charlie Outsider"}
    assert 'value=""' in listed.text.split('id="q"', 1)[1].split(">", 1)[0]


def test_the_list_without_the_no_therapist_filter_writes_no_audit_row(as_admin: Client) -> None:
    marker = newest_audit_id(as_admin)

    page = as_admin.get("/admin/users", params={"role": "patient", "status": "active"})

    assert page.status_code == 200
    assert [row for row in audit_rows(as_admin) if row.id > marker] == []


def test_filters_that_match_nothing_say_so_and_offer_to_clear_them(as_admin: Client) -> None:
    page = as_admin.get("/admin/users", params={"role": "coordinator", "status": "deactivated"})

    assert page.status_code == 200
    assert listed_emails(page) == []
    assert "No accounts match these filters." in page.text
    assert '<a href="/admin/users">Clear the filters</a> to see every account.' in page.text


def test_a_therapist_is_never_a_patient_without_a_therapist(
    as_admin: Client, personas: dict[str, User]
) -> None:
    unassign(as_admin, personas["therapist"], personas["patient"])

    page = as_admin.get("/admin/users", params={"role": "therapist", "therapist": "none"})

    assert page.status_code == 200
    assert listed_emails(page) == []
    assert "No accounts match these filters." in page.text


# --- with the search and across pages ---------------------------------------------------------


def test_the_posted_form_keeps_the_search_and_answers_with_the_filters_address(
    as_admin: Client,
) -> None:
    add_accounts(as_admin, "smith", 2, role=Role.PATIENT)
    add_accounts(as_admin, "smithy", 1, role=Role.THERAPIST)

    posted = as_admin.submit(
        "/admin/users", {"q": "smith", "role": "patient", "status": "active", "therapist": "none"}
    )

    assert posted.status_code == 303
    # The filters stand in the address; the search (a name) does not.
    assert posted.headers["location"] == "/admin/users?role=patient&status=active&therapist=none"
    page = as_admin.get(posted.headers["location"])
    assert sorted(listed_emails(page)) == ["smith00@example.org", "smith01@example.org"]
    assert summary(page).startswith(
        "2 accounts (patients, active, no active therapist) matching “smith”."
    )
    assert "q=smith" not in page.text


def test_the_posted_form_with_every_filter_at_any_answers_with_the_plain_list(
    as_admin: Client,
) -> None:
    posted = as_admin.submit("/admin/users", {"q": "", "role": "any", "status": "any"})

    assert posted.status_code == 303
    assert posted.headers["location"] == "/admin/users"


def test_a_search_with_no_match_under_filters_offers_to_clear_the_filters(as_admin: Client) -> None:
    as_admin.submit("/admin/users", {"q": "alice", "role": "therapist"})

    page = as_admin.get("/admin/users", params={"role": "therapist"})

    assert "No accounts match these filters." in page.text
    assert (
        '<a href="/admin/users">Clear the filters</a> to see every account matching “alice”.'
        in page.text
    )
    assert listed_emails(as_admin.get("/admin/users")) == ["patient@example.org"]


def test_clearing_the_search_keeps_the_filters(as_admin: Client) -> None:
    as_admin.submit("/admin/users", {"q": "alice", "role": "patient"})

    cleared = as_admin.submit("/admin/users", {"q": "alice", "role": "patient", "clear": "1"})

    assert cleared.headers["location"] == "/admin/users?role=patient"
    assert sorted(listed_emails(as_admin.get(cleared.headers["location"]))) == sorted(
        PATIENT_EMAILS
    )


def test_the_filters_and_the_search_stay_on_every_page(as_admin: Client) -> None:
    # 30 active patients called Smith, and others each filter or the search must leave out.
    add_accounts(as_admin, "smith", 30, role=Role.PATIENT)
    add_accounts(as_admin, "smithgone", 3, role=Role.PATIENT, active=False)
    add_accounts(as_admin, "smiththerapist", 3, role=Role.THERAPIST)
    add_accounts(as_admin, "jones", 5, role=Role.PATIENT)
    as_admin.submit("/admin/users", {"q": "smith"})

    first = as_admin.get("/admin/users", params={"role": "patient", "status": "active"})
    link = pager_link(first, 2)
    second = as_admin.get(f"/admin/users{link}")

    assert first.status_code == second.status_code == 200
    assert link == "?page=2&role=patient&status=active"
    on_first, on_second = listed_emails(first), listed_emails(second)
    assert len(on_first) == 25
    assert len(on_second) == 5
    assert sorted(on_first + on_second) == [f"smith{number:02}@example.org" for number in range(30)]
    assert summary(second).startswith(
        "30 accounts (patients, active) matching “smith”, page 2 of 2."
    )
    assert pager_link(second, 1) == "?page=1&role=patient&status=active"


def test_the_no_therapist_filter_pages_like_the_others(as_admin: Client) -> None:
    add_accounts(as_admin, "alone", 27, role=Role.PATIENT)

    first = as_admin.get("/admin/users?therapist=none")
    second = as_admin.get(f"/admin/users{pager_link(first, 2)}")

    assert pager_link(first, 2) == "?page=2&therapist=none"
    assert sorted(listed_emails(first) + listed_emails(second)) == [
        f"alone{number:02}@example.org" for number in range(27)
    ]


def test_a_page_past_the_last_shows_the_last(as_admin: Client) -> None:
    page = as_admin.get("/admin/users", params={"role": "patient", "page": "9"})

    assert page.status_code == 200
    assert sorted(listed_emails(page)) == sorted(PATIENT_EMAILS)


# --- what it refuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("role=wizard", "Role: Choose one of the listed roles."),
        ("role=Patient", "Role: Choose one of the listed roles."),
        ("status=maybe", "Status: Choose active, invited, deactivated or any status."),
        ("therapist=bob", "Therapist: Use “none” for patients no active therapist sees."),
        ("page=abc", "Page: That page number doesn't exist."),
        ("page=0", "Page: That page number doesn't exist."),
        ("page=-1", "Page: That page number doesn't exist."),
        ("page=%C2%B2", "Page: That page number doesn't exist."),
        ("page=%D9%A3", "Page: That page number doesn't exist."),
        ("page=" + "1" * 5000, "Page: That page number doesn't exist."),
        ("role=patient&role=admin", "Role: Give it once."),
        ("q=smith&role=patient", "Search: A search is not read from the page's address"),
        ("role=%00", "Role: Choose one of the listed roles."),
    ],
)
def test_a_filter_it_cannot_read_is_a_400_naming_it_that_changes_nothing(
    as_admin: Client, query: str, message: str
) -> None:
    as_admin.submit("/admin/users", {"q": "alice"})
    marker = newest_audit_id(as_admin)

    response = as_admin.get(f"/admin/users?{query}")

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert [row for row in audit_rows(as_admin) if row.id > marker] == []
    text = unescape(response.text)
    assert "Those filters could not be used" in text
    assert message in text
    assert '<a href="/admin/users">Clear filters and show every account</a>' in text
    assert listed_emails(response) == []  # nothing listed under filters it could not read
    # The search kept in the session is untouched.
    assert listed_emails(as_admin.get("/admin/users")) == ["patient@example.org"]


def test_several_bad_filters_are_named_at_once(as_admin: Client) -> None:
    response = as_admin.get("/admin/users?role=wizard&status=maybe&page=abc")

    assert response.status_code == 400
    for field in ("Role", "Status", "Page"):
        assert f"{field}: " in unescape(response.text), field
    assert 'href="#filter-role"' in response.text
    assert 'id="filter-role"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_posted_bad_filter_is_refused_and_keeps_no_search(as_admin: Client) -> None:
    response = as_admin.submit("/admin/users", {"q": "alice", "role": "wizard"})

    assert response.status_code == 400
    assert "Role: Choose one of the listed roles." in unescape(response.text)
    # The search was not kept: the plain list shows every account.
    assert sorted(listed_emails(as_admin.get("/admin/users"))) == sorted(EVERY_EMAIL)


def test_the_filter_form_is_labelled_and_grouped(as_admin: Client) -> None:
    page = as_admin.get("/admin/users")

    assert '<label for="q">' in page.text
    assert '<label for="filter-role">Role</label>' in page.text
    assert "<legend>Status</legend>" in page.text
    assert "<legend>Care team</legend>" in page.text
    for status in ("any", "active", "invited", "deactivated"):
        assert f'<label for="filter-status-{status}">' in page.text
    assert '<label for="filter-no-therapist">No therapist</label>' in page.text
    assert 'method="post" action="/admin/users"' in page.text


# --- outsiders --------------------------------------------------------------------------------

OUTSIDERS = ["patient", "other_patient", "therapist", "coordinator"]
FILTERED = "/admin/users?role=patient&status=active&therapist=none"


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize(
    "query", ["role=patient&status=active&therapist=none", "role=wizard&page=0"]
)
def test_outsiders_are_refused_the_filtered_list_and_see_nobody(
    client: Client, personas: dict[str, User], outsider: str, query: str
) -> None:
    unassign(client, personas["therapist"], personas["patient"])
    client.login_as(PERSONAS[outsider])
    marker = newest_audit_id(client)

    response = client.get(f"/admin/users?{query}")

    # Refused as the plain list is, before any filter is read.
    assert response.status_code == 403
    assert "Those filters could not be used" not in response.text
    leaked = [
        text
        for persona in PERSONAS.values()
        for text in (persona.email, persona.display_name)
        if text in response.text and persona.key != outsider
    ]
    assert leaked == []
    new_rows = [row for row in audit_rows(client) if row.id > marker]
    assert [row.action for row in new_rows] == ["access_denied"]
    assert new_rows[0].patient_id is None


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_cannot_post_the_filter_form(
    client: Client, personas: dict[str, User], outsider: str
) -> None:
    client.login_as(PERSONAS[outsider])

    response = client.submit("/admin/users", {"q": "alice", "role": "patient", "therapist": "none"})

    assert response.status_code == 403
    assert "patient@example.org" not in response.text
    assert "location" not in response.headers


def test_anonymous_is_sent_to_sign_in_and_back_to_the_filtered_list(
    client: Client, personas: dict[str, User]
) -> None:
    response = client.get(FILTERED, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={quote(FILTERED, safe='')}"
    assert "patient@example.org" not in response.text
    for query in ("role=wizard", "page=abc"):
        bad = client.get(f"/admin/users?{query}", follow_redirects=False)
        assert bad.status_code == 303, query  # not a 400 that would tell what the page reads


def test_anonymous_cannot_post_the_filter_form(client: Client, personas: dict[str, Any]) -> None:
    response = client.submit("/admin/users", {"q": "alice", "role": "patient"})

    # As for any form sent without a session: to sign in, and back to the page it came from.
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert "patient@example.org" not in response.text
