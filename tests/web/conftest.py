"""Fixtures for web tests beyond tests/conftest.py's app, client and personas."""

from collections.abc import Iterator

import pytest
from litestar import Litestar

from tests.caseload_fixtures import former  # noqa: F401  (a fixture for this folder)
from tests.conftest import BASE_URL, Client, create_personas
from tests.mail_servers import Received, mail_settings, taking_server

# `patient` with a colleague on her care team beside `therapist` (the clinician notes tests).
from tests.web.clinical_note_data import patient  # noqa: F401

# The sessions of tests/web/collection_data.py, for the collections' tests.
from tests.web.collection_data import library  # noqa: F401
from wellness.app import create_app
from wellness.lib.clock import FixedClock
from wellness.settings import Settings


@pytest.fixture
def smtp() -> Iterator[tuple[int, Received]]:
    """A local SMTP server that takes every message: its port, and what it received."""
    with taking_server() as running:
        yield running


@pytest.fixture
def mailing_app(settings: Settings, clock: FixedClock, smtp: tuple[int, Received]) -> Litestar:
    """The app with e-mail set up, sending to `smtp`."""
    return create_app(settings.replace(mail=mail_settings(smtp[0])), clock=clock)


@pytest.fixture
def mailing(mailing_app: Litestar) -> Iterator[Client]:
    """An anonymous client of an app with e-mail set up, and the personas."""
    with Client(mailing_app, base_url=BASE_URL) as client:
        now = client.now()
        client.run(lambda: create_personas(now))
        yield client
