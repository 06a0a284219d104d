"""Every page's title block is plain words: a tag in it is shown as text in the browser's tab
and history (a `<title>` holds text only), and a script put there never runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TITLE_BLOCK = re.compile(r"{%-?\s*block title\s*-?%}(.*?){%-?\s*endblock", re.DOTALL)
TITLED = sorted(path for path in TEMPLATES.rglob("*.html") if "block title" in path.read_text())


def test_the_pages_with_titles_are_found() -> None:
    assert len(TITLED) > 20


@pytest.mark.parametrize("path", TITLED, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_a_title_block_holds_no_markup(path: Path) -> None:
    [title] = TITLE_BLOCK.findall(path.read_text())

    words = re.sub(r"{[{%#].*?[}%#]}", "", title)  # Jinja's own tags are not markup

    assert "<" not in words, title
    assert "\n" not in words.strip(), title
