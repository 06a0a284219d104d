"""`pip install` the way users do it, then run the installed app from outside the checkout.

The sdist is built from this checkout and the wheel from that sdist (`python -m build`, as pip
does for a package from PyPI); the wheel goes into a fresh virtualenv in a temporary folder and
its own `wellness demo` runs there, with the current directory, PYTHONPATH and PATH all outside
the checkout. Each role signs in through the form and gets its home page, and a static file and
a demo session's media (with a Range request) come back with the expected bytes.

Nothing here skips: a build, an install or a server that fails is a test failure, under CI and
locally alike. Dependencies come from the package index (pip's cache makes repeat runs quick).
Marked `install`: `make test` runs it in the SQLite pass only (the installed app is a demo on
SQLite whatever the test database is).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.live_servers import free_port, running_server

pytestmark = pytest.mark.install

CHECKOUT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-wellness"
BUILD_TIMEOUT = 300
INSTALL_TIMEOUT = 900
STARTUP_TIMEOUT = 180.0
# Variables through which a Python process could find code other than the venv's own.
PYTHON_LOOKUP_VARIABLES = {
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "PYTHONSAFEPATH",
    "VIRTUAL_ENV",
    "__PYVENV_LAUNCHER__",
}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    display_name: str
    home: str
    heading: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "admin@demo.wellness", "Ada Admin", "/admin", "Administration"),
    DemoAccount(
        "coordinator",
        "coordinator@demo.wellness",
        "Cora Coordinator",
        "/coordinator",
        "Hello, Cora Coordinator",
    ),
    DemoAccount(
        "therapist", "therapist@demo.wellness", "Theo Therapist", "/therapist", "Hello, Theo"
    ),
    DemoAccount("patient", "patient@demo.wellness", "Pat Patient", "/patient", "Hello, Pat"),
]


@dataclass(frozen=True)
class Distribution:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Installation:
    venv: Path
    site_packages: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


@dataclass(frozen=True)
class InstalledServer:
    url: str
    workdir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def outside_environment() -> dict[str, str]:
    """This process's environment without anything that could lead back into the checkout."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("WELLNESS_") and name not in PYTHON_LOOKUP_VARIABLES
    }
    environ["PATH"] = os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not Path(entry).resolve().is_relative_to(CHECKOUT)
    )
    environ["PYTHONNOUSERSITE"] = "1"
    environ["PYTHONUNBUFFERED"] = "1"
    return environ


def run(command: list[str], *, cwd: Path, timeout: float, what: str) -> str:
    """Run a command to completion; any failure fails the test with the command's output."""
    try:
        finished = subprocess.run(
            command,
            cwd=cwd,
            env=outside_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"{what} took longer than {timeout:.0f} s: {expired}", pytrace=False)
    if finished.returncode != 0:
        pytest.fail(
            f"{what} failed with status {finished.returncode}: {' '.join(command)}\n"
            f"{finished.stdout}\n{finished.stderr}",
            pytrace=False,
        )
    return finished.stdout


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel-install").resolve()
    assert not root.is_relative_to(CHECKOUT), f"the test's folder {root} is inside the checkout"
    return root


@pytest.fixture(scope="module")
def distribution(workspace: Path) -> Distribution:
    """The sdist built from the checkout and the wheel built from that sdist."""
    dist = workspace / "dist"
    run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(CHECKOUT)],
        cwd=workspace,
        timeout=BUILD_TIMEOUT,
        what="building the sdist and the wheel",
    )
    sdists = sorted(dist.glob("wellness-*.tar.gz"))
    wheels = sorted(dist.glob("wellness-*-py3-none-any.whl"))
    assert len(sdists) == 1, f"expected one sdist in {dist}: {sorted(dist.iterdir())}"
    assert len(wheels) == 1, f"expected one wheel in {dist}: {sorted(dist.iterdir())}"
    return Distribution(sdist=sdists[0], wheel=wheels[0])


@pytest.fixture(scope="module")
def installation(workspace: Path, distribution: Distribution) -> Installation:
    """A fresh virtualenv outside the checkout with the wheel (not editable) installed."""
    venv = workspace / "venv"
    run(
        [sys.executable, "-m", "venv", str(venv)],
        cwd=workspace,
        timeout=120,
        what="creating the virtualenv",
    )
    python = venv / "bin" / "python"
    run(
        [str(python), "-m", "pip", "install", "--quiet", str(distribution.wheel)],
        cwd=workspace,
        timeout=INSTALL_TIMEOUT,
        what="installing the wheel",
    )
    site_packages = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=workspace,
        timeout=60,
        what="asking the virtualenv for its site-packages",
    ).strip()
    return Installation(venv=venv, site_packages=Path(site_packages).resolve())


@pytest.fixture(scope="module")
def server(workspace: Path, installation: Installation) -> Iterator[InstalledServer]:
    """The installed `wellness demo`, run as a user would: from a folder of its own."""
    workdir = workspace / "clinic"
    workdir.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environ = outside_environment()
    # Short demo audio: the media only has to exist and be served.
    environ["WELLNESS_DEMO_AUDIO_SCALE"] = "0.02"
    log_path = workspace / "server.log"
    served = InstalledServer(url=url, workdir=workdir, log_path=log_path)
    command = [str(installation.venv / "bin" / "wellness"), "demo", "--port", str(port)]
    with running_server(
        command,
        url=url,
        cwd=workdir,
        env=environ,
        log_path=log_path,
        what="the installed `wellness demo`",
        timeout=STARTUP_TIMEOUT,
    ):
        yield served


def sign_in(client: httpx.Client, email: str) -> str:
    """Sign in through the HTML form, CSRF token included; answers where it sends us."""
    form = client.get("/login")
    assert form.status_code == 200, form.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert token is not None, "the sign-in form carries no CSRF token"
    answer = client.post(
        "/login",
        data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token[1], "next": ""},
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def checkout_files(folder: Path) -> set[str]:
    """Files under a checkout folder, relative to it, without Python's caches."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_sdist_carries_the_templates_and_the_package(distribution: Distribution) -> None:
    with tarfile.open(distribution.sdist) as sdist:
        names = set(sdist.getnames())
    root = distribution.sdist.name.removesuffix(".tar.gz")
    expected = {f"{root}/pyproject.toml", f"{root}/README.md"}
    expected |= {f"{root}/templates/{name}" for name in checkout_files(CHECKOUT / "templates")}
    expected |= {f"{root}/wellness/{name}" for name in checkout_files(CHECKOUT / "wellness")}
    assert not expected - names, f"missing from the sdist: {sorted(expected - names)}"


def test_wheel_ships_templates_static_files_and_migrations_inside_the_package(
    distribution: Distribution,
) -> None:
    with zipfile.ZipFile(distribution.wheel) as wheel:
        names = set(wheel.namelist())
    expected = {f"wellness/templates/{name}" for name in checkout_files(CHECKOUT / "templates")}
    expected |= {f"wellness/{name}" for name in checkout_files(CHECKOUT / "wellness")}
    assert "wellness/templates/errors/error.html" in expected
    assert "wellness/web/static/app.css" in expected
    assert "wellness/migrations/0001_initial.py" in expected
    assert "wellness/demo/library.toml" in expected  # data, read through importlib.resources
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    # The package alone: no top-level folders beside it, so nothing needs the checkout.
    assert {name.split("/")[0] for name in names} == {
        "wellness",
        distribution.wheel.name.split("-py3")[0] + ".dist-info",
    }


def test_a_wheel_built_straight_from_the_checkout_holds_the_same_files(
    workspace: Path, distribution: Distribution
) -> None:
    # What `pip install .` does: build the wheel from the source tree, without an sdist.
    tree = workspace / "dist-from-tree"
    run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tree), str(CHECKOUT)],
        cwd=workspace,
        timeout=BUILD_TIMEOUT,
        what="building the wheel from the checkout",
    )
    (from_tree,) = tree.glob("wellness-*.whl")
    with zipfile.ZipFile(from_tree) as direct, zipfile.ZipFile(distribution.wheel) as via_sdist:
        assert sorted(direct.namelist()) == sorted(via_sdist.namelist())


def test_the_virtualenv_imports_the_installed_package_not_the_checkout(
    workspace: Path, installation: Installation
) -> None:
    printed = run(
        [
            str(installation.python),
            "-c",
            "import wellness, wellness.resources as r; "
            "print(wellness.__file__); print(r.package_folder('templates')); "
            "print(r.package_folder('web/static'))",
        ],
        cwd=workspace,
        timeout=60,
        what="importing the installed package",
    )
    module, templates, static = (Path(line).resolve() for line in printed.splitlines())
    assert module == installation.site_packages / "wellness" / "__init__.py"
    assert templates == installation.site_packages / "wellness" / "templates"
    assert static == installation.site_packages / "wellness" / "web" / "static"
    for path in (module, templates, static):
        assert not path.is_relative_to(CHECKOUT)
    assert not (installation.site_packages / "templates").exists()
    pointers = [
        pth.name
        for pth in installation.site_packages.glob("*.pth")
        if str(CHECKOUT) in pth.read_text(encoding="utf-8", errors="replace")
    ]
    assert pointers == [], "a .pth file in the virtualenv points into the checkout"


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[account.role for account in DEMO_ACCOUNTS])
def test_each_role_signs_in_to_its_home_page_on_the_installed_app(
    server: InstalledServer, account: DemoAccount
) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        location = sign_in(client, account.email)
        assert location == account.home

        home = client.get(location)

    assert home.status_code == 200, home.text
    assert home.headers["content-type"].startswith("text/html")
    assert re.search(rf"<h1[^>]*>\s*{re.escape(account.heading)}", home.text), home.text
    assert account.display_name in home.text


def test_installed_app_serves_its_static_files_from_the_package(
    server: InstalledServer, installation: Installation
) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answer = client.get("/static/app.css")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    installed = installation.site_packages / "wellness" / "web" / "static" / "app.css"
    assert answer.content == installed.read_bytes()
    assert answer.content == (CHECKOUT / "wellness" / "web" / "static" / "app.css").read_bytes()


def test_installed_app_plays_a_demo_session_media_with_a_range_request(
    server: InstalledServer,
) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        sign_in(client, "patient@demo.wellness")
        listing = client.get("/api/v1/sessions", params={"per_page": 50})
        assert listing.status_code == 200, listing.text
        first = listing.json()["items"][0]
        detail = client.get(f"/api/v1/sessions/{first['id']}")
        assert detail.status_code == 200, detail.text
        media_url = detail.json()["media_url"]
        assert re.fullmatch(r"/media/[0-9]+", media_url), media_url
        page = client.get(f"/sessions/{first['id']}")
        whole = client.get(media_url)
        part = client.get(media_url, headers={"Range": "bytes=100-1123"})

    assert page.status_code == 200, page.text
    assert first["title"] in page.text
    assert media_url in page.text
    assert whole.status_code == 200
    assert whole.headers["content-type"].startswith("audio/")
    size = len(whole.content)
    assert size > 1124
    # The stored object is named by its content hash, in the demo folder under the server's cwd.
    digest = hashlib.sha256(whole.content).hexdigest()
    stored = list((server.workdir / ".wellness-demo" / "media" / "objects").glob(f"*/{digest}.*"))
    assert len(stored) == 1, f"no stored object for sha256 {digest}"
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1123/{size}"
    assert part.headers["content-type"] == whole.headers["content-type"]
    assert part.content == whole.content[100:1124]


def test_installed_app_logged_no_server_error(server: InstalledServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        missing = client.get("/no-such-page")

    # The error page is a template too: a wheel without templates answered 500 here.
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    log = server.log()
    assert "Traceback" not in log, log
    assert not re.search(r'" 5[0-9][0-9] ', log), log
