"""Fixtures for web tests beyond tests/conftest.py's app, client and personas."""

from tests.caseload_fixtures import former  # noqa: F401  (a fixture for this folder)

# `patient` with a colleague on her care team beside `therapist` (the clinician notes tests).
from tests.web.clinical_note_data import patient  # noqa: F401

# The sessions of tests/web/collection_data.py, for the collections' tests.
from tests.web.collection_data import library  # noqa: F401
