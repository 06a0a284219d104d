"""The package's modules import one another without a cycle, read statically from the source.

Every import counts, also those inside functions or under TYPE_CHECKING: a cycle hidden in a
function still ties two modules together (the CLI had one, `cli.py` <-> `cli_media.py`).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import wellness

PACKAGE_DIR = Path(wellness.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of the package (migrations aside) with the package modules it imports."""
    paths = {
        _module_name(path): path
        for path in PACKAGE_DIR.rglob("*.py")
        if "migrations" not in path.relative_to(PACKAGE_DIR).parts
    }
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([base] if base else [])])
                # `from package import module` imports the module; `from module import name`
                # imports the module that holds the name.
                imported.update(
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                    for alias in node.names
                )
        graph[name] = (imported & paths.keys()) - {name}
    return graph


def test_no_module_of_the_package_imports_itself_back_through_others() -> None:
    try:
        TopologicalSorter(import_graph()).prepare()
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_cli_command_modules_share_only_the_common_helpers() -> None:
    graph = import_graph()
    commands = {name for name in graph if name.startswith("wellness.cli.")} - {
        "wellness.cli.common",
        "wellness.cli.__main__",
    }
    assert {"wellness.cli.serve", "wellness.cli.users", "wellness.cli.media"} <= commands
    assert graph["wellness.cli.common"].isdisjoint(commands)
    for module in commands:
        # Demo mode's preparation is a helper of `serve`; it registers no command of its own.
        allowed = {"wellness.cli.common", "wellness.cli.demo"} - {module}
        assert graph[module] & (commands | {"wellness.cli"}) <= allowed, module


def test_the_graph_sees_imports_made_inside_functions() -> None:
    graph = import_graph()

    assert "wellness.demo.audio" in graph["wellness.demo.seed"]  # imported in prepare_tracks
    assert "wellness.cli.common" in graph["wellness.cli.media"]
    assert "wellness.cli.serve" in graph["wellness.cli"]
