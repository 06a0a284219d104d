"""A care team's contraindications, bans and pins: the therapist's page and JSON API, who is
refused, what is audited, and what the patient then sees in the catalog and the support panel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PERSONAS, Client, persona_password_hash
from tests.web.test_practice_api import make_session
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit.models import AuditEvent
from wellness.care import services as care
from wellness.care.models import PatientContraindication, SessionOverride
from wellness.catalog.kinds import Kind, Posture, Status
from wellness.catalog.models import PracticeSession

SKIP_TEXT = "Your care team has asked you to skip this one for now"
PIN_TEXT = "Pinned by your care team"


def session_titled(client: Client, title: str, **fields: Any) -> int:
    session_id = make_session(client, seconds=float(fields.pop("seconds", 300)))

    async def change() -> None:
        await PracticeSession.filter(id=session_id).update(title=title, **fields)

    client.run(change)
    return session_id


def stored(client: Client) -> tuple[list[tuple[int, str]], list[tuple[int, int, str]]]:
    """Every contraindication and override row, for checking that nothing changed."""

    async def load() -> tuple[list[tuple[int, str]], list[tuple[int, int, str]]]:
        codes = await PatientContraindication.all().order_by("id").values_list("patient_id", "code")
        overrides = (
            await SessionOverride.all()
            .order_by("id")
            .values_list("patient_id", "session_id", "kind")
        )
        return (
            [(int(p), str(c)) for p, c in codes],
            [(int(p), int(s), str(k)) for p, s, k in overrides],
        )

    return client.run(load)


def audit_rows(client: Client, action: str) -> list[AuditEvent]:
    async def load() -> list[AuditEvent]:
        return await AuditEvent.filter(action=action).order_by("id")

    return client.run(load)


def former_member(client: Client, personas: dict[str, User]) -> None:
    """`Fay Former` was on the patient's care team and was taken off it."""

    async def create() -> None:
        former = await accounts.create_user(
            email="former@example.org",
            display_name="Fay Former",
            role=Role.THERAPIST,
            time_zone="Europe/Berlin",
            password_hash=persona_password_hash(),
        )
        now = client.now()
        await care.assign(former, personas["patient"], now=now)
        await care.unassign(former.id, personas["patient"].id, now=now)

    client.run(create)


def sign_in(client: Client, who: str) -> None:
    if who == "anonymous":
        client.login_as(None)
    elif who == "former":
        client.cookies.clear()
        response = client.post(
            "/api/v1/auth/login",
            json={"email": "former@example.org", "password": "correct horse battery staple"},
        )
        assert response.status_code == 200
    else:
        client.login_as(PERSONAS[who])


OUTSIDERS = ("other_therapist", "former", "coordinator", "other_patient", "patient", "anonymous")


# --- the therapist's page --------------------------------------------------------------------


def test_it_shows_the_form_with_the_catalogs_vocabulary(
    client: Client, personas: dict[str, User]
) -> None:
    box = session_titled(client, "Box breathing", contraindications=["breath_hold"])
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]

    page = client.get(f"/care/patients/{patient.id}/restrictions")

    assert page.status_code == 200
    for code in ("breath_hold", "fast_breathing", "vigorous", "standing", "long_silence"):
        assert f'value="{code}"' in page.text
    assert "Breath hold" in page.text
    assert f'<option value="{box}">Box breathing' in page.text
    assert "Ban for this patient" in page.text
    assert f'href="/care/patients/{patient.id}"' in page.text
    assert 'name="_csrf_token"' in page.text
    viewed = audit_rows(client, "restrictions_viewed")
    assert [(row.patient_id, row.actor_id) for row in viewed] == [
        (patient.id, personas["therapist"].id)
    ]


def test_it_saves_contraindications_and_audits_the_change(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]
    url = f"/care/patients/{patient.id}/restrictions"

    response = client.submit(
        f"{url}/contraindications", {"contraindications": ["breath_hold", "vigorous"]}
    )

    assert response.status_code == 303
    assert response.headers["location"] == url
    assert stored(client)[0] == [(patient.id, "breath_hold"), (patient.id, "vigorous")]
    (row,) = audit_rows(client, "contraindications_changed")
    assert row.patient_id == patient.id
    assert row.actor_id == personas["therapist"].id
    assert row.detail == "added=breath_hold,vigorous;removed="
    assert row.route == "POST /care/patients/{patient_id}/restrictions/contraindications"
    page = client.get(url)
    assert (
        'id="avoid-breath_hold" name="contraindications" value="breath_hold" checked' in page.text
    )
    assert "Contraindications saved." in page.text

    cleared = client.submit(f"{url}/contraindications", {})

    assert cleared.status_code == 303
    assert stored(client)[0] == []
    assert audit_rows(client, "contraindications_changed")[-1].detail == (
        "added=;removed=breath_hold,vigorous"
    )


def test_an_unknown_contraindication_is_refused_by_name_and_nothing_is_stored(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    url = f"/care/patients/{personas['patient'].id}/restrictions"

    response = client.submit(
        f"{url}/contraindications", {"contraindications": ["breath_hold", "handstands"]}
    )

    assert response.status_code == 422
    assert "Unknown contraindication: handstands." in response.text
    assert 'id="contraindications-error"' in response.text
    assert stored(client) == ([], [])
    assert audit_rows(client, "contraindications_changed") == []


@pytest.mark.parametrize(
    ("form", "data"),
    [
        ("contraindications", {"contraindications": ["handstands"]}),
        ("overrides", {"kind": "ban", "session_id": "999999"}),
    ],
)
def test_the_page_shown_again_after_a_refused_change_is_an_audited_read(
    client: Client, personas: dict[str, User], form: str, data: dict[str, Any]
) -> None:
    therapist, patient = personas["therapist"], personas["patient"]
    client.login_as(PERSONAS["therapist"])

    response = client.submit(f"/care/patients/{patient.id}/restrictions/{form}", data)

    assert response.status_code == 422
    assert stored(client) == ([], [])
    (row,) = audit_rows(client, "restrictions_viewed")
    assert (row.actor_id, row.patient_id, row.target_id) == (
        therapist.id,
        patient.id,
        str(patient.id),
    )
    assert row.route == f"POST /care/patients/{{patient_id}}/restrictions/{form}"
    assert patient.display_name in response.text


def test_it_bans_pins_and_lifts_sessions_for_the_patient(
    client: Client, personas: dict[str, User]
) -> None:
    fast = session_titled(client, "Fire breath")
    calm = session_titled(client, "Long exhale")
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"]
    url = f"/care/patients/{patient.id}/restrictions"

    banned = client.submit(f"{url}/overrides", {"session_id": str(fast), "kind": "ban"})
    pinned = client.submit(f"{url}/overrides", {"session_id": str(calm), "kind": "pin"})

    assert (banned.status_code, pinned.status_code) == (303, 303)
    assert stored(client)[1] == [(patient.id, fast, "ban"), (patient.id, calm, "pin")]
    page = client.get(url)
    assert "Fire breath" in page.text
    # When, in the patient's zone as on the patient's page (Berlin: UTC+1 in November).
    assert "by Bob Therapist, 24 Nov 2026, 15:30" in page.text
    assert "Lift ban" in page.text
    assert "Unpin" in page.text
    assert [row.target_id for row in audit_rows(client, "session_banned")] == [str(fast)]
    assert [row.target_id for row in audit_rows(client, "session_pinned")] == [str(calm)]

    lifted = client.submit(f"{url}/overrides/{fast}/remove")

    assert lifted.status_code == 303
    assert stored(client)[1] == [(patient.id, calm, "pin")]
    (removed,) = audit_rows(client, "session_override_removed")
    assert (removed.patient_id, removed.target_id) == (patient.id, str(fast))
    assert "“Fire breath” is no longer banned." in client.get(url).text


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"session_id": "999999", "kind": "ban"}, "Choose a session from the list."),
        ({"session_id": "abc", "kind": "pin"}, "Choose a session from the list."),
        ({"session_id": "", "kind": "ban"}, "Choose a session from the list."),
        ({"kind": "unban"}, "Choose Ban or Pin."),
    ],
)
def test_a_bad_override_form_is_refused_and_leaves_nothing(
    client: Client, personas: dict[str, User], form: dict[str, str], field: str
) -> None:
    session_titled(client, "Fire breath")
    client.login_as(PERSONAS["therapist"])
    url = f"/care/patients/{personas['patient'].id}/restrictions"

    response = client.submit(f"{url}/overrides", form)

    assert response.status_code == 422
    assert field in response.text
    assert stored(client) == ([], [])


def test_a_draft_session_cannot_be_banned(client: Client, personas: dict[str, User]) -> None:
    draft = session_titled(client, "Not yet", status=Status.DRAFT)
    client.login_as(PERSONAS["therapist"])
    url = f"/care/patients/{personas['patient'].id}/restrictions"

    response = client.submit(f"{url}/overrides", {"session_id": str(draft), "kind": "ban"})

    assert response.status_code == 422
    assert "Not yet" not in client.get(url).text
    assert stored(client) == ([], [])


def test_lifting_an_override_that_does_not_exist_is_404(
    client: Client, personas: dict[str, User]
) -> None:
    session = session_titled(client, "Fire breath")
    client.login_as(PERSONAS["therapist"])
    url = f"/care/patients/{personas['patient'].id}/restrictions"

    assert client.submit(f"{url}/overrides/{session}/remove").status_code == 404
    assert audit_rows(client, "session_override_removed") == []


def restricted(client: Client, personas: dict[str, User]) -> tuple[int, int]:
    """The patient has a breath-hold contraindication and a banned session (set by their
    therapist through the API); answers (banned session id, contraindicated session id)."""
    banned = session_titled(client, "Banned one")
    held = session_titled(client, "Box breathing", contraindications=["breath_hold"])
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"].id
    assert (
        client.put(
            f"/api/v1/patients/{patient}/contraindications",
            json={"contraindications": ["breath_hold"]},
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/v1/patients/{patient}/overrides", json={"session_id": banned, "kind": "ban"}
        ).status_code
        == 201
    )
    return banned, held


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_no_page_and_change_nothing(
    client: Client, personas: dict[str, User], who: str
) -> None:
    banned, _ = restricted(client, personas)
    former_member(client, personas)
    before = stored(client)
    url = f"/care/patients/{personas['patient'].id}/restrictions"
    sign_in(client, who)
    expected = 303 if who == "anonymous" else 404  # anonymous: sent to sign in

    csrf = {"_csrf_token": client.csrf_token()}
    answers = [
        client.get(url, follow_redirects=False),
        client.post(f"{url}/contraindications", data={**csrf}, follow_redirects=False),
        client.post(
            f"{url}/overrides",
            data={**csrf, "session_id": str(banned), "kind": "pin"},
            follow_redirects=False,
        ),
        client.post(f"{url}/overrides/{banned}/remove", data=csrf, follow_redirects=False),
    ]

    assert [answer.status_code for answer in answers] == [expected] * 4
    for answer in answers:
        assert "Box breathing" not in answer.text
        assert "Banned one" not in answer.text
    assert stored(client) == before


# --- the JSON API ----------------------------------------------------------------------------


def test_the_api_reads_and_replaces_contraindications(
    client: Client, personas: dict[str, User]
) -> None:
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"].id
    url = f"/api/v1/patients/{patient}/contraindications"

    empty = client.get(url)
    put = client.put(url, json={"contraindications": ["standing", "long_silence", "standing"]})
    again = client.get(url)

    assert empty.status_code == 200
    assert empty.json()["contraindications"] == []
    assert {"code": "breath_hold", "label": "Breath hold"} in empty.json()["vocabulary"]
    assert put.status_code == 200
    assert put.json() == again.json()
    assert again.json()["contraindications"] == ["long_silence", "standing"]
    assert stored(client)[0] == [(patient, "long_silence"), (patient, "standing")]
    assert len(audit_rows(client, "restrictions_viewed")) == 2
    (changed,) = audit_rows(client, "contraindications_changed")
    assert changed.route == "PUT /api/v1/patients/{patient_id}/contraindications"
    assert "no-store" in again.headers["cache-control"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"contraindications": ["breath_hold", "handstands"]},
            "contraindications[1]",
            "handstands",
        ),
        ({"contraindications": "breath_hold"}, "contraindications", "array"),
        ({"contraindications": [], "patient_id": 5}, "patient_id", "patient_id"),
        ({}, "contraindications", "contraindications"),
    ],
)
def test_the_api_refuses_a_bad_contraindications_body_naming_it(
    client: Client, personas: dict[str, User], body: dict[str, Any], field: str, words: str
) -> None:
    client.login_as(PERSONAS["therapist"])
    url = f"/api/v1/patients/{personas['patient'].id}/contraindications"

    response = client.put(url, json=body)

    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]
    assert stored(client) == ([], [])


def test_the_api_bans_pins_lists_and_lifts(client: Client, personas: dict[str, User]) -> None:
    fast = session_titled(client, "Fire breath")
    calm = session_titled(client, "Long exhale")
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"].id
    url = f"/api/v1/patients/{patient}/overrides"

    banned = client.post(url, json={"session_id": fast, "kind": "ban"})
    same = client.post(url, json={"session_id": fast, "kind": "ban"})
    pinned = client.post(url, json={"session_id": calm, "kind": "pin"})
    listed = client.get(url)

    assert (banned.status_code, same.status_code, pinned.status_code) == (201, 200, 201)
    assert banned.json()["title"] == "Fire breath"
    assert banned.json()["set_by"] == "Bob Therapist"
    assert [(item["session_id"], item["kind"]) for item in listed.json()] == [
        (fast, "ban"),
        (calm, "pin"),
    ]
    assert len(audit_rows(client, "session_banned")) == 1  # the repeat changed nothing

    switched = client.post(url, json={"session_id": calm, "kind": "ban"})
    lifted = client.delete(f"{url}/{fast}")
    gone = client.delete(f"{url}/{fast}")

    assert switched.status_code == 201
    assert lifted.status_code == 200
    assert lifted.json()["kind"] == "ban"
    assert gone.status_code == 404
    assert stored(client)[1] == [(patient, calm, "ban")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"session_id": 999_999, "kind": "ban"}, "session_id"),
        ({"session_id": "1", "kind": "ban"}, "session_id"),
        ({"session_id": 1, "kind": "hide"}, "kind"),
        ({"session_id": 0, "kind": "pin"}, "session_id"),
        ({"session_id": 1, "kind": "pin", "patient_id": 2}, "patient_id"),
    ],
)
def test_the_api_refuses_a_bad_override_naming_the_field(
    client: Client, personas: dict[str, User], body: dict[str, Any], field: str
) -> None:
    session_titled(client, "Fire breath")
    client.login_as(PERSONAS["therapist"])

    response = client.post(f"/api/v1/patients/{personas['patient'].id}/overrides", json=body)

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert stored(client) == ([], [])


def test_api_writes_honour_the_idempotency_key(client: Client, personas: dict[str, User]) -> None:
    fast = session_titled(client, "Fire breath")
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"].id
    url = f"/api/v1/patients/{patient}/overrides"
    key = {"Idempotency-Key": "ban-fire-breath-1"}

    first = client.post(url, json={"session_id": fast, "kind": "ban"}, headers=key)
    client.delete(f"{url}/{fast}")
    replay = client.post(url, json={"session_id": fast, "kind": "ban"}, headers=key)
    different = client.post(url, json={"session_id": fast, "kind": "pin"}, headers=key)
    delete_key = {"Idempotency-Key": "lift-fire-breath-1"}
    client.post(url, json={"session_id": fast, "kind": "pin"})
    lifted = client.delete(f"{url}/{fast}", headers=delete_key)
    lifted_again = client.delete(f"{url}/{fast}", headers=delete_key)

    assert first.status_code == 201
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert different.status_code == 422
    assert stored(client)[1] == []  # the replay wrote nothing; the pin was lifted
    assert lifted.status_code == lifted_again.status_code == 200
    assert lifted_again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_api_outsiders_get_404_and_change_nothing(
    client: Client, personas: dict[str, User], who: str
) -> None:
    banned, _ = restricted(client, personas)
    former_member(client, personas)
    before = stored(client)
    patient = personas["patient"].id
    base = f"/api/v1/patients/{patient}"
    sign_in(client, who)
    expected = 401 if who == "anonymous" else 404

    answers = [
        client.get(f"{base}/contraindications"),
        client.put(f"{base}/contraindications", json={"contraindications": []}),
        client.get(f"{base}/overrides"),
        client.post(f"{base}/overrides", json={"session_id": banned, "kind": "pin"}),
        client.delete(f"{base}/overrides/{banned}"),
    ]

    assert [answer.status_code for answer in answers] == [expected] * 5
    for answer in answers:
        assert "breath_hold" not in answer.text
        assert "Banned one" not in answer.text
    assert stored(client) == before


# --- what the patient sees -------------------------------------------------------------------


def test_the_catalog_marks_skipped_and_pinned_sessions_for_that_patient_only(
    client: Client, personas: dict[str, User]
) -> None:
    banned, held = restricted(client, personas)
    standing = session_titled(client, "Standing flow", posture=Posture.STANDING, kind=Kind.YOGA)
    pinned = session_titled(client, "Pinned calm")
    fine = session_titled(client, "Just fine")
    patient = personas["patient"].id
    client.put(
        f"/api/v1/patients/{patient}/contraindications",
        json={"contraindications": ["breath_hold", "standing"]},
    )
    client.post(f"/api/v1/patients/{patient}/overrides", json={"session_id": pinned, "kind": "pin"})
    client.login_as(PERSONAS["patient"])

    page = client.get("/sessions")

    assert page.status_code == 200
    cards = {
        session_id: page.text.split(f'href="/sessions/{session_id}"', 1)[1].split("</li>", 1)[0]
        for session_id in (banned, held, standing, pinned, fine)
    }
    for skipped in (banned, held, standing):
        assert SKIP_TEXT in cards[skipped]
    assert PIN_TEXT in cards[pinned]
    assert SKIP_TEXT not in cards[pinned]
    assert SKIP_TEXT not in cards[fine]
    assert PIN_TEXT not in cards[fine]

    client.login_as(PERSONAS["other_patient"])
    other = client.get("/sessions")
    assert SKIP_TEXT not in other.text
    assert PIN_TEXT not in other.text


def test_the_session_page_tells_the_patient_to_skip_it(
    client: Client, personas: dict[str, User]
) -> None:
    banned, held = restricted(client, personas)
    fine = session_titled(client, "Just fine")
    client.login_as(PERSONAS["patient"])

    assert SKIP_TEXT in client.get(f"/sessions/{banned}").text
    assert SKIP_TEXT in client.get(f"/sessions/{held}").text
    assert SKIP_TEXT not in client.get(f"/sessions/{fine}").text
    client.login_as(PERSONAS["therapist"])
    assert SKIP_TEXT not in client.get(f"/sessions/{banned}").text


def test_the_support_panel_never_offers_a_skipped_session(
    client: Client, personas: dict[str, User]
) -> None:
    banned = session_titled(client, "Banned calm", kind=Kind.BREATHING, seconds=240)
    fast = session_titled(client, "Quick ground", kind=Kind.GROUNDING, seconds=200)
    kept = session_titled(client, "Kept calm", kind=Kind.BREATHING, seconds=420)
    client.login_as(PERSONAS["patient"])
    before = client.get("/support").text
    assert all(f'href="/sessions/{sid}"' in before for sid in (banned, fast, kept))
    client.login_as(PERSONAS["therapist"])
    patient = personas["patient"].id
    client.post(f"/api/v1/patients/{patient}/overrides", json={"session_id": banned, "kind": "ban"})

    client.login_as(PERSONAS["patient"])
    panel = client.get("/support")

    assert panel.status_code == 200
    assert f'href="/sessions/{banned}"' not in panel.text
    assert f'href="/sessions/{fast}"' in panel.text
    assert f'href="/sessions/{kept}"' in panel.text
    client.login_as(PERSONAS["other_patient"])
    assert f'href="/sessions/{banned}"' in client.get("/support").text
