from tests.conftest import PERSONAS, Client


def test_it_signs_in_and_reports_me(client: Client, personas: dict) -> None:
    client.login_as(PERSONAS["therapist"])
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "therapist"
