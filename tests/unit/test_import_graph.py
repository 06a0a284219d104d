"""The package's modules import one another without a cycle, read statically from the source.

Every import counts, also those inside functions or under TYPE_CHECKING: a cycle hidden in a
function still ties two modules together (the CLI had one, `cli.py` <-> `cli_media.py`).
"""

from __future__ import annotations

import ast
import sys
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


# The layer rule the README's architecture map states, checked on the same graph.
DOMAINS: tuple[str, ...] = (
    "accounts",
    "audit",
    "system",
    "catalog",
    "care",
    "checkins",
    "practice",
)
DOMAINS += ("suggestions", "caseload", "notifications", "reviews", "lib")
OUTER_LAYERS = ("wellness.web", "wellness.app", "wellness.cli", "wellness.demo")
PURE_MODULES = (
    "wellness.lib",
    "wellness.catalog.kinds",
    "wellness.catalog.rules",
    "wellness.catalog.collection_rules",
    "wellness.catalog.saved_rules",
    "wellness.catalog.transcripts",
    "wellness.checkins.scales",
    "wellness.checkins.scoring",
    "wellness.checkins.trends",
    "wellness.care.policy",
    "wellness.care.schedule",
    "wellness.care.targets",
    "wellness.care.adherence",
    "wellness.care.practice_days",
    "wellness.care.note_rules",
    "wellness.caseload.helps",
    "wellness.caseload.usage_rules",
    "wellness.caseload.usage_csv",
    "wellness.caseload.report_period",
    "wellness.practice.streaks",
    "wellness.practice.rules",
    "wellness.practice.charts",
    "wellness.notifications.rules",
    "wellness.notifications.reminder_rules",
    "wellness.notifications.reset_mail_rules",
    "wellness.accounts.reset_rules",
    "wellness.reviews.rules",
)


def _third_party_imports(module: str) -> set[str]:
    path = PACKAGE_DIR.parent.joinpath(*module.split("."))
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found - {"wellness"}


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def test_domain_packages_never_import_the_web_the_cli_or_litestar() -> None:
    graph = import_graph()
    domain = tuple(f"wellness.{name}" for name in DOMAINS)
    for module, imported in graph.items():
        if not _in(module, domain):
            continue
        assert not {name for name in imported if _in(name, OUTER_LAYERS)}, module
        assert "litestar" not in _third_party_imports(module), module


def test_the_web_layer_never_touches_the_orm() -> None:
    web_modules = [name for name in import_graph() if _in(name, ("wellness.web",))]
    assert web_modules
    for module in web_modules:
        assert "tortoise" not in _third_party_imports(module), module


def test_pure_rule_modules_import_only_the_standard_library_and_other_pure_modules() -> None:
    graph = import_graph()
    pure = [name for name in graph if _in(name, PURE_MODULES)]
    assert len(pure) > len(PURE_MODULES)  # the packages' modules are in the list too
    for module in pure:
        assert {name for name in graph[module] if not _in(name, PURE_MODULES)} == set(), module
        assert _third_party_imports(module) <= {"__future__"} | set(sys.stdlib_module_names), module


# The suggestion engine is pure too, with numpy; only its database side (services) is not.
SUGGESTION_DATABASE_SIDE = ("wellness.suggestions.services", "wellness.suggestions.logs")


def test_the_suggestion_engine_imports_only_the_standard_library_numpy_and_pure_modules() -> None:
    graph = import_graph()
    engine = [
        name
        for name in graph
        if _in(name, ("wellness.suggestions",)) and not _in(name, SUGGESTION_DATABASE_SIDE)
    ]
    allowed = (*PURE_MODULES, "wellness.suggestions")
    assert engine
    for module in engine:
        outside = {
            name
            for name in graph[module]
            if not _in(name, allowed) or _in(name, SUGGESTION_DATABASE_SIDE)
        }
        assert outside == set(), module
        libraries = _third_party_imports(module) - set(sys.stdlib_module_names)
        assert libraries <= {"__future__", "numpy"}, module


# The FHIR export's builder is pure too, with msgspec for the Structs that are its JSON.
FHIR_BUILDER = "wellness.checkins.fhir"


def test_the_fhir_builder_imports_only_the_standard_library_msgspec_and_pure_modules() -> None:
    graph = import_graph()

    assert {name for name in graph[FHIR_BUILDER] if not _in(name, PURE_MODULES)} == set()
    libraries = _third_party_imports(FHIR_BUILDER) - set(sys.stdlib_module_names)
    assert libraries == {"msgspec"}
