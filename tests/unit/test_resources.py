"""Run-time folders are found through the package, and the checkout only in a source checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

import wellness
from wellness.resources import MissingResource, package_folder

PACKAGE_DIR = Path(wellness.__file__).resolve().parent
CHECKOUT = Path(__file__).resolve().parents[2]


def test_folders_inside_the_package_are_taken_from_the_package() -> None:
    static = package_folder("web/static")

    assert static == PACKAGE_DIR / "web" / "static"
    assert (static / "app.css").is_file()


def test_templates_come_from_the_top_level_folder_in_a_source_checkout() -> None:
    # The wheel carries them as wellness/templates; tests/install proves the installed case.
    assert not (PACKAGE_DIR / "templates").exists()

    templates = package_folder("templates")

    assert templates == CHECKOUT / "templates"
    assert (templates / "errors" / "error.html").is_file()


def test_a_folder_shipped_nowhere_is_a_clear_error_naming_it() -> None:
    with pytest.raises(MissingResource, match="lacks its 'no-such-folder' folder"):
        package_folder("no-such-folder")
