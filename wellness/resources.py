"""Folders the app reads at run time, found through the installed package.

A wheel carries the top-level `templates/` folder inside the package (`wellness/templates`, see
`force-include` in pyproject.toml); an editable install or a plain checkout has it only at the top
of the repository. Nothing else is looked up through the current directory or the checkout.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE = "wellness"


class MissingResource(RuntimeError):
    """A folder the app needs was not shipped with it: a broken build or install."""


def package_folder(name: str) -> Path:
    """The folder `name` (e.g. `templates`, `web/static`) of the installed package.

    In a source checkout (an editable install: `pyproject.toml` beside the package) a folder the
    wheel ships inside the package is taken from the repository's top level instead.
    """
    root = files(PACKAGE)
    if not isinstance(root, Path):
        raise MissingResource(f"the {PACKAGE} package is not installed as plain files ({root!r})")
    packaged = root.joinpath(name)
    if packaged.is_dir():
        return packaged
    checkout = root.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / name).is_dir():
        return checkout / name
    raise MissingResource(
        f"{packaged} is missing: this installation of {PACKAGE} lacks its {name!r} folder; "
        "reinstall it from a wheel built by hatchling (`pip install .`)"
    )
