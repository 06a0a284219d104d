"""The therapist's dashboard at /therapist: who may open it, whose patients it shows, its order,
filter and headings.

`therapist` looks after `patient` (Alice); `other_therapist` looks after `other_patient`
(Charlie). Everyone else is refused, and a therapist never sees a patient outside their current
caseload, including one whose care team they have left.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from tortoise import connections

from tests.conftest import PERSONAS, Client, text_of
from wellness.accounts.models import User
from wellness.audit.models import AuditEvent
from wellness.audit.recent_reads import READ_WINDOW
from wellness.care import services as care
from wellness.checkins.models import Checkin
from wellness.lib.clock import FixedClock


def add_patient(client: Client, personas: dict[str, User], name: str, email: str) -> User:
    async def create() -> User:
        patient = await User.create(
            email=email,
            display_name=name,
            role="patient",
            time_zone="Asia/Tokyo",
            password_hash="x",
        )
        await care.assign(personas["therapist"], patient, now=client.now())
        return patient

    return client.run(create)


def rate(client: Client, patient: User, level: int, **ago: float) -> None:
    async def create() -> None:
        at = client.now() - timedelta(**ago)
        await Checkin.create(patient_id=patient.id, level=level, occurred_at=at, recorded_at=at)

    client.run(create)


def row_names(page: Any) -> list[str]:
    return re.findall(
        r'<th role="rowheader" scope="row"><a href="/care/patients/\d+"><strong>([^<]+)</strong>',
        page.text,
    )


@pytest.mark.parametrize("persona", ["patient", "other_patient", "coordinator", "admin"])
def test_only_therapists_open_the_dashboard(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.login_as(PERSONAS[persona])

    response = client.get("/therapist", follow_redirects=False)

    assert response.status_code == 403
    assert "Your patients" not in response.text
    assert "/care/patients/" not in response.text


def test_anonymous_is_sent_to_sign_in(client: Client, personas: dict[str, User]) -> None:
    response = client.get("/therapist", follow_redirects=False)

    assert response.status_code in (302, 303, 401)
    assert "Alice Patient" not in response.text


def test_a_therapist_sees_only_their_current_caseload(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["other_therapist"])

    page = client.get("/therapist")

    assert page.status_code == 200
    assert row_names(page) == ["Charlie Outsider"]
    assert f'href="/care/patients/{personas["other_patient"].id}"' in page.text
    assert "Alice Patient" not in page.text
    assert f'/care/patients/{personas["patient"].id}"' not in page.text


def test_a_former_care_team_member_no_longer_sees_the_patient(
    client: Client, personas: dict[str, User]
) -> None:
    rate(client, personas["patient"], 9, hours=1)
    client.run(
        lambda: care.unassign(personas["therapist"].id, personas["patient"].id, now=client.now())
    )
    client.login_as(PERSONAS["therapist"])

    page = client.get("/therapist")

    assert page.status_code == 200
    assert row_names(page) == []
    assert "Alice Patient" not in page.text
    assert "No patients on your caseload yet." in page.text


def test_the_row_shows_the_patients_figures_and_why_they_need_attention(
    client: Client, personas: dict[str, User]
) -> None:
    rate(client, personas["patient"], 9, hours=3)
    rate(client, personas["patient"], 3, minutes=20)
    client.login_as(PERSONAS["therapist"])

    page = text_of(client.get("/therapist"))

    assert "Rated 9/10 in the last 24 h" in page
    assert '3/10 <span class="muted">20 min ago</span>' in page
    assert (
        '<caption class="visually-hidden">Your patients, sorted by needs attention</caption>'
        in page
    )
    assert page.count('scope="col"') == 9
    # Ratings around a session are not in that column, and its heading says so.
    assert "Last quick check-in" in page
    assert 'data-label="Last quick check-in"' in page
    viewed = client.run(lambda: AuditEvent.filter(action="caseload_viewed").count())
    assert viewed == 1


def audit_inserts(client: Client) -> tuple[list[str], Any]:
    """The writes of audit rows sent while a view is answered (collected until `restore` is
    called), on the connection every audit row goes through: each multi-row INSERT, and each
    `execute_many` (one transaction)."""
    connection = client.run(_default_connection)
    query, many = connection.execute_query, connection.execute_many
    seen: list[str] = []

    async def execute_query(statement: str, *args: Any, **kwargs: Any) -> Any:
        if statement.startswith("INSERT INTO audit_events"):
            seen.append(statement)
        return await query(statement, *args, **kwargs)

    async def execute_many(statement: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(statement)
        return await many(statement, *args, **kwargs)

    connection.execute_query, connection.execute_many = execute_query, execute_many

    def restore() -> None:
        del connection.execute_query, connection.execute_many  # the class's methods again

    return seen, restore


async def _default_connection() -> Any:
    return connections.get("default")


def audited_patients(client: Client, action: str) -> list[int | None]:
    async def read() -> list[int | None]:
        rows = await AuditEvent.filter(action=action).order_by("id")
        return [row.patient_id for row in rows]

    return client.run(read)


def test_a_view_is_one_audit_row_per_patient_shown_in_one_statement(
    client: Client, personas: dict[str, User]
) -> None:
    """A row of the table or an open alert (the panel is not filtered by name) shows a
    patient's data; a patient filtered out of both is not in the audit log."""
    zed = add_patient(client, personas, "Zed Quiet", "zed@example.org")
    add_patient(client, personas, "Bea Fine", "bea@example.org")
    _with_alert(client)  # Alice's
    client.login_as(PERSONAS["therapist"])
    client.get("/account")  # the CSRF cookie, from a page that shows no patient
    client.submit("/therapist", {"q": "zed"})
    inserts, restore = audit_inserts(client)
    try:
        page = client.get("/therapist")
    finally:
        restore()

    assert page.status_code == 200
    assert row_names(page) == ["Zed Quiet"]
    assert Counter(audited_patients(client, "caseload_viewed")) == Counter(
        [zed.id, personas["patient"].id]
    )
    assert len(inserts) == 1
    rows = client.run(lambda: AuditEvent.filter(action="caseload_viewed"))
    assert {(row.target_type, row.target_id, row.detail) for row in rows} == {
        ("user", str(zed.id), ""),
        ("user", str(personas["patient"].id), ""),
    }
    assert {(row.actor_id, row.route) for row in rows} == {
        (personas["therapist"].id, "GET /therapist")
    }


def test_a_view_showing_nobody_is_one_row_naming_the_caseload(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    client.get("/account")  # the CSRF cookie, from a page that shows no patient
    client.submit("/therapist", {"q": "nobody"})

    page = client.get("/therapist")

    assert page.status_code == 200
    assert audited_patients(client, "caseload_viewed") == [None]
    [row] = client.run(lambda: AuditEvent.filter(action="caseload_viewed"))
    assert (row.target_type, row.target_id) == ("caseload", str(personas["therapist"].id))


def test_a_dashboard_viewed_again_records_each_patient_once_per_window_and_every_view(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    bea = add_patient(client, personas, "Bea Fine", "bea@example.org")
    alice = personas["patient"].id
    client.login_as(PERSONAS["therapist"])

    def rows_after(view: Any) -> list[tuple[str, str]]:
        before = client.run(lambda: AuditEvent.filter(action="caseload_viewed").count())
        view()
        rows = client.run(lambda: AuditEvent.filter(action="caseload_viewed").order_by("id"))
        return [(row.target_type, row.target_id) for row in rows[before:]]

    first = rows_after(lambda: client.get("/therapist"))
    clock.advance(READ_WINDOW - timedelta(seconds=1))
    again = rows_after(lambda: client.get("/therapist"))
    clock.advance(timedelta(seconds=1))
    later = rows_after(lambda: client.get("/therapist"))

    assert sorted(first) == sorted([("user", str(alice)), ("user", str(bea.id))])
    # The view itself is recorded, naming the caseload; its patients were, moments ago.
    assert again == [("caseload", str(personas["therapist"].id))]
    assert sorted(later) == sorted(first)


def test_a_patient_newly_shown_is_recorded_at_once(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    client.get("/account")  # the CSRF cookie, from a page that shows no patient
    client.submit("/therapist", {"q": "Alice"})
    client.get("/therapist")
    bea = add_patient(client, personas, "Bea Fine", "bea@example.org")
    client.submit("/therapist", {"clear": "1"})

    client.get("/therapist")

    assert audited_patients(client, "caseload_viewed") == [personas["patient"].id, bea.id]


def test_needs_attention_first_then_by_name(client: Client, personas: dict[str, User]) -> None:
    zed = add_patient(client, personas, "Zed Quiet", "zed@example.org")
    add_patient(client, personas, "Bea Fine", "bea@example.org")
    rate(client, personas["patient"], 2, hours=1)
    rate(client, zed, 10, hours=2)
    client.login_as(PERSONAS["therapist"])

    assert row_names(client.get("/therapist")) == ["Zed Quiet", "Alice Patient", "Bea Fine"]
    by_name = client.get("/therapist?sort=name")
    assert row_names(by_name) == ["Alice Patient", "Bea Fine", "Zed Quiet"]
    assert 'aria-sort="ascending"><a href="?sort=-name">Patient' in by_name.text
    backwards = client.get("/therapist?sort=-name")
    assert row_names(backwards) == ["Zed Quiet", "Bea Fine", "Alice Patient"]
    assert 'aria-sort="descending"><a href="?sort=name">Patient' in backwards.text
    assert backwards.text.count("aria-sort=") == 1


def test_sorting_by_last_check_in_puts_never_last(
    client: Client, personas: dict[str, User]
) -> None:
    add_patient(client, personas, "Nora Never", "nora@example.org")
    old = add_patient(client, personas, "Olaf Old", "olaf@example.org")
    rate(client, personas["patient"], 2, hours=1)
    rate(client, old, 2, hours=30)
    client.login_as(PERSONAS["therapist"])

    newest_first = client.get("/therapist?sort=-checkin")
    oldest_first = client.get("/therapist?sort=checkin")

    assert row_names(newest_first) == ["Alice Patient", "Olaf Old", "Nora Never"]
    assert row_names(oldest_first) == ["Olaf Old", "Alice Patient", "Nora Never"]


def test_the_filter_keeps_matching_names_and_the_sort(
    client: Client, personas: dict[str, User]
) -> None:
    add_patient(client, personas, "Alina Second", "alina@example.org")
    add_patient(client, personas, "Bruno Third", "bruno@example.org")
    client.login_as(PERSONAS["therapist"])

    searched = client.submit("/therapist", {"q": " ali ", "sort": "-name"})

    # Kept in the session: a patient's name never stands in the page's address or its links.
    assert searched.status_code == 303
    assert searched.headers["location"] == "/therapist?sort=-name"
    page = client.get(searched.headers["location"])
    assert row_names(page) == ["Alina Second", "Alice Patient"]
    assert 'href="?sort=name"' in page.text
    assert "q=" not in page.text
    assert 'value="ali"' in page.text
    client.submit("/therapist", {"q": "ali", "clear": "1"})
    assert "Bruno Third" in row_names(client.get("/therapist"))


def test_only_therapists_may_post_the_search(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])

    response = client.submit("/therapist", {"q": "Alice"})

    assert response.status_code == 403
    assert "location" not in response.headers


def test_a_filter_matching_nobody_says_so(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["therapist"])

    client.submit("/therapist", {"q": "Charlie"})
    page = text_of(client.get("/therapist"))

    assert "No patient on your caseload matches “Charlie”." in page
    assert "Charlie Outsider" not in page.replace("“Charlie”", "")


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"sort": "password_hash"}, "sort"),
        ({"sort": "-"}, "sort"),
        ({"sort": "x" * 21}, "sort"),
    ],
)
def test_bad_sort_or_filter_is_refused_naming_it(
    client: Client, personas: dict[str, User], params: dict[str, str], named: str
) -> None:
    client.login_as(PERSONAS["therapist"])

    response = client.get("/therapist", params=params)

    assert response.status_code == 422  # the app's answer to a bad parameter
    assert named in response.text
    assert "Alice Patient" not in response.text


def test_the_open_alerts_section_stays(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["patient"])
    assert client.submit("/checkins", {"level": "9"}).status_code == 303
    client.login_as(PERSONAS["therapist"])

    page = text_of(client.get("/therapist"))

    assert "High distress rating" in page
    assert "/acknowledge" in page
    assert "1 open alert" in page


def test_each_session_gets_its_own_csrf_field_in_the_alerts_panel(
    client: Client, personas: dict[str, User]
) -> None:
    """The panel's HTML is kept between views; the CSRF field in it is each page's own."""
    client.login_as(PERSONAS["patient"])
    assert client.submit("/checkins", {"level": "9"}).status_code == 303
    fields = []
    for _ in range(2):
        client.login_as(PERSONAS["therapist"])
        token = client.csrf_token()
        page = client.get("/therapist").text
        fields.append(re.findall(r'name="_csrf_token" value="([^"]+)"', page))
        # The acknowledge form's field and the page's others (sign out) hold this session's token.
        assert len(fields[-1]) >= 2
        assert set(fields[-1]) == {token}
        (alert_id,) = re.findall(r"/care/alerts/(\d+)/acknowledge", page)
        acknowledged = client.submit(
            f"/care/alerts/{alert_id}/acknowledge",
            {"_csrf_token": fields[-1][0], "return_to": "therapist"},
        )
        assert acknowledged.status_code == 303
        client.login_as(PERSONAS["patient"])
        assert client.submit("/checkins", {"level": "9"}).status_code == 303
    assert set(fields[0]) != set(fields[1])


def test_how_long_ago_keeps_counting_while_nothing_changes(
    client: Client, personas: dict[str, User], clock: FixedClock
) -> None:
    """The table's HTML is kept between views until its first "how long ago" reads differently."""
    patient = add_patient(client, personas, "Dana Quiet", "dana@example.org")
    rate(client, patient, 4, seconds=30)

    def dana_checkin() -> str:
        client.login_as(PERSONAS["therapist"])  # an hour idle ends a session
        client.submit("/therapist", {"q": "Dana"})
        page = text_of(client.get("/therapist"))
        found = re.search(r"4/10 <span class=\"muted\">([^<]+)</span>", page)
        assert found is not None
        return found.group(1)

    seen = [dana_checkin()]
    for wait in (
        timedelta(seconds=20),
        timedelta(seconds=10),
        timedelta(minutes=59),
        timedelta(days=2),
    ):
        clock.advance(wait)
        seen.append(dana_checkin())

    assert seen == ["just now", "just now", "1 min ago", "1 h ago", "2 days ago"]


def _with_alert(client: Client) -> None:
    client.login_as(PERSONAS["patient"])
    assert client.submit("/checkins", {"level": "9"}).status_code == 303


def _csrf_fields(page: str) -> list[str]:
    return re.findall(r'name="_csrf_token" value="([^"]+)"', page)


def test_a_repeat_view_is_the_same_page_with_each_sessions_own_csrf_fields(
    client: Client, personas: dict[str, User]
) -> None:
    """The whole page is kept between views; only its CSRF fields are each session's own."""
    _with_alert(client)
    client.login_as(PERSONAS["therapist"])
    first_token = client.csrf_token()
    first, again = client.get("/therapist").text, client.get("/therapist").text
    client.login_as(PERSONAS["therapist"])  # another browser of the same therapist
    other_token = client.csrf_token()
    other = client.get("/therapist").text

    assert again == first
    assert "High distress rating" in first
    assert len(_csrf_fields(first)) >= 2  # the acknowledge form and signing out
    assert set(_csrf_fields(first)) == {first_token}
    assert set(_csrf_fields(other)) == {other_token}
    assert other == first.replace(first_token, other_token)


def test_a_message_waiting_in_the_session_is_shown_once_on_a_kept_page(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    kept = client.get("/therapist").text
    zone = personas["therapist"].time_zone
    # Saving the same time zone changes nothing the dashboard shows, and leaves a message.
    saved = client.submit("/account/time-zone", {"time_zone": zone})

    with_message = text_of(client.get("/therapist"))
    after = client.get("/therapist").text

    assert saved.status_code == 303
    assert "Your time zone is saved." not in kept
    assert "Your time zone is saved." in with_message
    assert after == kept


def test_a_new_display_name_is_shown_at_once(client: Client, personas: dict[str, User]) -> None:
    client.login_as(PERSONAS["therapist"])
    before = text_of(client.get("/therapist"))

    async def rename() -> None:
        await User.filter(id=personas["therapist"].id).update(display_name="Theo Renamed")

    client.run(rename)
    after = text_of(client.get("/therapist"))

    assert "Hello, Theo Renamed" not in before
    assert "Hello, Theo Renamed" in after
