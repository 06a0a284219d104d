from __future__ import annotations

import pytest

from wellness.lib.urls import local_redirect_target


@pytest.mark.parametrize("path", ["/patient", "/admin/users?page=2", "/a/b#c"])
def test_local_paths_are_kept(path: str) -> None:
    assert local_redirect_target(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "",
        None,
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "/a\nb",
    ],
)
def test_anything_that_could_leave_the_site_is_dropped(path: str | None) -> None:
    assert local_redirect_target(path) is None
