"""Pages and the JSON API are siblings: what both need lives beside them in `wellness.web`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wellness

PACKAGE = Path(wellness.__file__).parent
WEB = PACKAGE / "web"


def imported_modules(source: str, package: str) -> set[str]:
    """Every module (or module member) that `source`, a module of `package`, imports, by its
    absolute name: relative imports are resolved against `package`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def package_of(path: Path) -> str:
    return ".".join(("wellness", *path.relative_to(PACKAGE).parent.parts))


def test_it_reads_absolute_and_relative_imports() -> None:
    source = (
        "import wellness.web.api.auth\n"
        "from wellness.web.api import care\n"
        "from . import catalog\n"
        "from ..api.wellbeing import WellbeingApi\n"
    )

    found = imported_modules(source, "wellness.web.pages")

    assert {
        "wellness.web.api.auth",
        "wellness.web.api.care",
        "wellness.web.pages.catalog",
        "wellness.web.api.wellbeing.WellbeingApi",
    } <= found


@pytest.mark.parametrize(("importer", "imported"), [("pages", "api"), ("api", "pages")])
def test_pages_and_the_api_do_not_import_each_other(importer: str, imported: str) -> None:
    forbidden = f"wellness.web.{imported}"
    modules = sorted((WEB / importer).rglob("*.py"))
    offenders = {
        str(path.relative_to(WEB)): sorted(
            name
            for name in imported_modules(path.read_text(encoding="utf-8"), package_of(path))
            if name == forbidden or name.startswith(forbidden + ".")
        )
        for path in modules
    }

    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(modules) > 3  # the folder was really read
