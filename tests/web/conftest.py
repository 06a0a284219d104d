"""Fixtures for web tests beyond tests/conftest.py's app, client and personas."""

from collections.abc import Iterator

import pytest

from tests.caseload_fixtures import former  # noqa: F401  (a fixture for this folder)
from tests.mail_servers import Received, taking_server

# `patient` with a colleague on her care team beside `therapist` (the clinician notes tests).
from tests.web.clinical_note_data import patient  # noqa: F401

# The sessions of tests/web/collection_data.py, for the collections' tests.
from tests.web.collection_data import library  # noqa: F401


@pytest.fixture
def smtp() -> Iterator[tuple[int, Received]]:
    """A local SMTP server that takes every message: its port, and what it received."""
    with taking_server() as running:
        yield running
