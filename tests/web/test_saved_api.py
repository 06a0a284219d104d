"""The Saved list's JSON API: a patient reads their own list a page at a time, saves a session
they may open (201, then 204: one row) and takes one off (204, also when it was not saved).
Staff are refused (403) and no patient reaches another's list; the catalog's answers say for a
patient whether each session is saved. The list takes the library list's search and filters
(`q`, `kind`, `max_minutes`, `posture`, `guidance`, `tag`) and refuses a bad one naming it."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from tests.conftest import PERSONAS, Client
from tests.web.saved_data import ban_for, save_as, saved_audit, saved_rows, shelve
from wellness.accounts.models import User
from wellness.catalog import saved_rules
from wellness.catalog.kinds import Kind

SAVED = "/api/v1/me/saved"


def call(client: Client, method: str, path: str, **headers: str) -> Any:
    return client.request(method, path, headers=headers)


def test_a_patient_saves_a_session_then_saving_again_changes_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    scan = library["Body scan"]

    first = call(client, "PUT", f"{SAVED}/{scan}")
    again = call(client, "PUT", f"{SAVED}/{scan}")

    assert first.status_code == 201
    body = first.json()
    assert {key: body[key] for key in ("session_id", "title", "standing", "url", "care_mark")} == {
        "session_id": scan,
        "title": "Body scan",
        "standing": "available",
        "url": f"/sessions/{scan}",
        "care_mark": None,
    }
    assert (body["kind"], body["minutes"], body["saved_at"]) == (
        "body_scan",
        8,
        "2026-11-24T14:30:00Z",
    )
    assert again.status_code == 204
    assert again.content == b""
    assert saved_rows(client) == [(personas["patient"].id, scan)]
    assert saved_audit(client) == [
        ("session_saved", personas["patient"].id, "session", str(scan), None)
    ]


def test_the_list_is_newest_saved_first_paged_and_says_what_each_is_now(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    save_as(client, patient.id, library["Older walk"], library["Five senses"], library["Body scan"])

    ban_for(client, patient.id, library["Five senses"])
    client.login_as(PERSONAS["patient"])

    first = client.get(SAVED, params={"per_page": 2}).json()
    second = client.get(SAVED, params={"per_page": 2, "page": 2}).json()

    assert [(item["title"], item["standing"]) for item in first["items"]] == [
        ("Body scan", "available"),
        ("Five senses", "skip"),
    ]
    assert first["items"][1]["care_mark"] == "skip"
    assert (first["page"], first["pages"], first["total"], first["limit"]) == (1, 2, 3, 500)
    [gone] = second["items"]
    assert (gone["title"], gone["standing"], gone["url"], gone["care_mark"]) == (
        "Older walk",
        "gone",
        None,
        None,
    )


def test_unsaving_answers_204_whether_or_not_it_was_saved(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    patient = personas["patient"]
    save_as(client, patient.id, library["Body scan"], library["Older walk"])
    client.login_as(PERSONAS["patient"])

    removed = call(client, "DELETE", f"{SAVED}/{library['Body scan']}")
    not_saved = call(client, "DELETE", f"{SAVED}/{library['Five senses']}")
    archived = call(client, "DELETE", f"{SAVED}/{library['Older walk']}")
    again = call(client, "DELETE", f"{SAVED}/{library['Older walk']}")

    assert [r.status_code for r in (removed, not_saved, archived)] == [204, 204, 204]
    assert again.status_code == 404  # archived and no longer hers: not one she may open
    assert saved_rows(client) == []
    assert [row[0] for row in saved_audit(client)] == ["session_unsaved", "session_unsaved"]


@pytest.mark.parametrize("title", ["Unreleased draft", "Older walk"])
def test_a_session_the_patient_may_not_open_is_a_404_and_stores_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int], title: str
) -> None:
    client.login_as(PERSONAS["patient"])

    saving = call(client, "PUT", f"{SAVED}/{library[title]}")
    unsaving = call(client, "DELETE", f"{SAVED}/{library[title]}")
    missing = call(client, "PUT", f"{SAVED}/999999")

    assert (saving.status_code, unsaving.status_code, missing.status_code) == (404, 404, 404)
    assert saving.json()["detail"] == "No such session."
    assert saved_rows(client) == []


def test_a_full_list_is_a_409_naming_the_limit_and_stores_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int], monkeypatch: Any
) -> None:
    monkeypatch.setattr(saved_rules, "MAX_SAVED", 2)
    patient = personas["patient"]
    save_as(client, patient.id, library["Body scan"], library["Five senses"])
    client.login_as(PERSONAS["patient"])

    refused = call(client, "PUT", f"{SAVED}/{library['Slow breathing']}")
    page = client.submit(f"/sessions/{library['Slow breathing']}/save")

    assert refused.status_code == 409
    assert refused.json()["code"] == "saved_limit"
    assert "at most 2 saved sessions" in refused.json()["detail"]
    assert page.status_code == 409
    assert "at most 2 saved sessions" in page.text
    assert len(saved_rows(client)) == 2
    assert saved_audit(client) == []


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])
    key = uuid4().hex
    scan = library["Body scan"]

    first = call(client, "PUT", f"{SAVED}/{scan}", **{"Idempotency-Key": key})
    retried = call(client, "PUT", f"{SAVED}/{scan}", **{"Idempotency-Key": key})

    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert len(saved_rows(client)) == 1


@pytest.mark.parametrize("persona", ["therapist", "other_therapist", "coordinator", "admin"])
def test_staff_are_refused_and_no_list_changes(
    client: Client, personas: dict[str, User], library: dict[str, int], persona: str
) -> None:
    save_as(client, personas["patient"].id, library["Body scan"])
    client.login_as(PERSONAS[persona])

    answers = [
        client.get(SAVED),
        call(client, "PUT", f"{SAVED}/{library['Five senses']}"),
        call(client, "DELETE", f"{SAVED}/{library['Body scan']}"),
    ]

    searched = client.get(SAVED, params={"q": "body", "kind": "body_scan"})

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert searched.status_code == 403
    assert all("Body scan" not in answer.text for answer in [*answers, searched])
    assert saved_rows(client) == [(personas["patient"].id, library["Body scan"])]


def test_a_patient_sees_and_changes_only_their_own_list(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    save_as(client, personas["patient"].id, library["Body scan"])
    client.login_as(PERSONAS["other_patient"])

    listed = client.get(SAVED).json()
    removed = call(client, "DELETE", f"{SAVED}/{library['Body scan']}")
    catalog = client.get(f"/api/v1/sessions/{library['Body scan']}").json()

    assert (listed["items"], listed["total"]) == ([], 0)
    assert removed.status_code == 204  # nothing of hers to take off: his list ends as asked
    assert catalog["saved"] is False
    assert saved_rows(client) == [(personas["patient"].id, library["Body scan"])]
    assert saved_audit(client) == []


def test_anonymous_calls_are_refused(client: Client, library: dict[str, int]) -> None:
    answers = [
        client.get(SAVED),
        call(client, "PUT", f"{SAVED}/{library['Body scan']}"),
        call(client, "DELETE", f"{SAVED}/{library['Body scan']}"),
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert saved_rows(client) == []


def test_a_browser_write_without_the_pages_token_is_refused(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    client.login_as(PERSONAS["patient"])

    answer = call(
        client, "PUT", f"{SAVED}/{library['Body scan']}", **{"sec-fetch-site": "same-origin"}
    )

    assert answer.status_code == 403
    assert saved_rows(client) == []


def test_the_catalog_says_to_a_patient_which_sessions_are_saved_and_to_staff_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    save_as(client, personas["patient"].id, library["Body scan"])
    client.login_as(PERSONAS["patient"])
    listed = {
        item["title"]: item["saved"] for item in client.get("/api/v1/sessions").json()["items"]
    }
    one = client.get(f"/api/v1/sessions/{library['Body scan']}").json()
    client.login_as(PERSONAS["coordinator"])
    for_staff = client.get("/api/v1/sessions").json()["items"]
    staff_one = client.get(f"/api/v1/sessions/{library['Body scan']}").json()

    assert listed == {
        "Body scan": True,
        "Box breathing": False,
        "Five senses": False,
        "Slow breathing": False,
    }
    assert one["saved"] is True
    assert all("saved" not in item for item in for_staff)
    assert "saved" not in staff_one


def test_the_openapi_document_describes_the_saved_list(
    client: Client, personas: dict[str, User]
) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]

    put = paths["/api/v1/me/saved/{session_id}"]["put"]["responses"]
    delete = paths["/api/v1/me/saved/{session_id}"]["delete"]["responses"]
    listed = paths["/api/v1/me/saved"]["get"]["responses"]

    assert {"201", "204", "401", "403", "404", "409"} <= set(put)
    assert put["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SavedSessionOut"
    }
    assert {"204", "403", "404"} <= set(delete)
    assert "409" not in delete
    assert listed["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SavedList"
    }
    assert (
        "saved"
        in client.get("/schema/openapi.json").json()["components"]["schemas"]["SessionSummary"][
            "properties"
        ]
    )


def test_the_openapi_document_gives_the_saved_list_the_librarys_filters(
    client: Client, personas: dict[str, User]
) -> None:
    document = client.get("/schema/openapi.json").json()

    def parameters(path: str) -> dict[str, dict[str, Any]]:
        found = document["paths"][path]["get"]["parameters"]
        return {parameter["name"]: parameter for parameter in found}

    mine, library = parameters(SAVED), parameters("/api/v1/sessions")

    filters = {"q", "kind", "max_minutes", "posture", "guidance", "tag", "page", "per_page"}
    assert set(mine) == filters
    assert set(library) == filters | {"status"}  # the status filter is staff's
    for name in filters:
        assert mine[name] == library[name], name
        assert mine[name]["in"] == "query"
        assert mine[name]["required"] is False
    assert mine["q"]["schema"]["maxLength"] == 200
    assert (mine["max_minutes"]["schema"]["minimum"], mine["max_minutes"]["schema"]["maximum"]) == (
        1,
        24 * 60,
    )
    assert mine["kind"]["schema"]["oneOf"][0] == {"$ref": "#/components/schemas/Kind"}
    assert document["components"]["schemas"]["Kind"]["enum"] == [kind.value for kind in Kind]
    assert mine["tag"]["schema"]["maxLength"] == 48
    assert mine["q"]["description"] == "Words to search for"
    listed = document["components"]["schemas"]["SavedList"]["properties"]
    assert {"total", "saved_total", "limit"} <= set(listed)
    assert "422" in document["paths"][SAVED]["get"]["responses"]


def titles(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["title"] for item in answer.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "breath"}, ["Slow breathing"]),  # "Box breathing" is the other patient's
        ({"q": "walk"}, ["Older walk"]),  # no longer in the library: found by its title
        ({"kind": "grounding"}, ["Five senses"]),
        ({"max_minutes": 5}, ["Five senses"]),
        ({"max_minutes": 8}, ["Slow breathing", "Body scan", "Five senses"]),
        ({"posture": "lying"}, ["Body scan"]),
        ({"guidance": "silent"}, ["Older walk"]),
        ({"tag": "sleep"}, ["Body scan"]),
        ({"tag": "  Sleep "}, ["Body scan"]),  # read as the library reads a tag
        ({"q": "zzz"}, []),
        ({"status": "archived"}, ["Slow breathing", "Body scan", "Five senses", "Older walk"]),
    ],
)
def test_the_list_takes_the_librarys_search_and_filters(
    client: Client,
    personas: dict[str, User],
    library: dict[str, int],
    params: dict[str, Any],
    expected: list[str],
) -> None:
    """`status` is not one of the list's parameters: it is ignored, as any unknown one is."""
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    answer = client.get(SAVED, params=params)

    assert titles(answer) == expected
    body = answer.json()
    assert (body["total"], body["saved_total"], body["limit"]) == (len(expected), 4, 500)
    assert all(item["standing"] in {"available", "gone"} for item in body["items"])


def test_a_search_of_the_list_is_paged_newest_saved_first(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["patient"])

    first = client.get(SAVED, params={"max_minutes": 10, "per_page": 3}).json()
    second = client.get(SAVED, params={"max_minutes": 10, "per_page": 3, "page": 2}).json()
    past = client.get(SAVED, params={"max_minutes": 10, "per_page": 3, "page": 9}).json()

    assert [item["title"] for item in first["items"]] == [
        "Slow breathing",
        "Body scan",
        "Five senses",
    ]
    assert [item["title"] for item in second["items"]] == ["Older walk"]
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 4)
    assert (past["page"], past["items"]) == (2, second["items"])


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "karaoke"},
        {"max_minutes": "0"},
        {"max_minutes": "1441"},
        {"max_minutes": "\u0669"},  # an Arabic-Indic nine
        {"posture": "upside"},
        {"guidance": "loud"},
        {"q": "a" * 201},
        {"tag": "t" * 49},
        {"page": "0"},
        {"per_page": "101"},
    ],
)
def test_a_bad_filter_is_refused_naming_it_and_changes_nothing(
    client: Client, personas: dict[str, User], library: dict[str, int], params: dict[str, str]
) -> None:
    """The library's list answers the same values with the same refusal."""
    shelve(client, personas, library)
    before = saved_rows(client)
    client.login_as(PERSONAS["patient"])

    refused = client.get(SAVED, params=params)
    in_library = client.get("/api/v1/sessions", params=params)

    assert refused.status_code == 422
    assert [problem["field"] for problem in refused.json()["errors"]] == list(params)
    assert (in_library.status_code, in_library.json()["errors"]) == (422, refused.json()["errors"])
    assert saved_rows(client) == before


def test_another_patients_search_reaches_only_their_own_list(
    client: Client, personas: dict[str, User], library: dict[str, int]
) -> None:
    shelve(client, personas, library)
    client.login_as(PERSONAS["other_patient"])

    breath = client.get(SAVED, params={"q": "breath"}).json()
    walk = client.get(SAVED, params={"q": "walk"}).json()

    assert [item["title"] for item in breath["items"]] == ["Box breathing"]
    assert (breath["total"], breath["saved_total"]) == (1, 1)
    assert (walk["items"], walk["total"]) == ([], 0)
