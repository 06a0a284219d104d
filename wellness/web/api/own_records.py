"""What the patient's own-records controllers share: where they live, who may call them, and
their OpenAPI tag."""

from __future__ import annotations

from litestar import Controller

from wellness.web.guards import patients_only


class OwnRecordsApi(Controller):
    """A patient's own check-ins, GAD-7 answers, practice and streak, under `/api/v1`."""

    path = "/api/v1"
    guards = [patients_only]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["check-ins and practice"]  # noqa: RUF012
