"""Language names for session language tags."""

from __future__ import annotations

import pytest

from wellness.catalog.rules import clean_language
from wellness.lib.languages import LANGUAGES, language_name


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("en", "English"),
        ("de", "German"),
        ("pt-BR", "Portuguese (Brazil)"),
        ("es-419", "Spanish (Latin America)"),
        ("zh-Hant", "Chinese (Traditional)"),
        ("sr-Latn", "Serbian (Latin script)"),
        ("en-gb", "English (United Kingdom)"),
        ("fil", "Filipino"),
        ("de-1996", "German (1996)"),
        ("xx", "xx"),
        ("qaa-Zzzz", "qaa-Zzzz"),
    ],
)
def test_a_tag_reads_as_a_language_name(tag: str, name: str) -> None:
    assert language_name(tag) == name


def test_every_named_language_is_a_tag_the_catalog_accepts() -> None:
    for code in LANGUAGES:
        assert clean_language(code) == code
