"""Fixtures for web tests beyond tests/conftest.py's app, client and personas."""

from tests.caseload_fixtures import former  # noqa: F401  (a fixture for this folder)
