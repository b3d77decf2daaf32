"""The package as pip, pipx and uv install it: a wheel built from this tree, installed with its
dependencies into a fresh venv, run from outside the source tree."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from devsynth_tui import __version__

PILOT = """
import asyncio, sys
import devsynth_tui
from devsynth_tui.config import load
from devsynth_tui.ui.app import DevsynthApp

assert devsynth_tui.__file__.startswith(sys.prefix), devsynth_tui.__file__  # the installed copy

async def show(theme):
    app = DevsynthApp(load().with_values({"ui.theme": theme}), fixed=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        width = app.query_one("#sidebar").styles.width.value  # a rule of app.tcss took effect
        print(theme, app.theme, width, len(app._notifications))

for theme in ("dark", "light", "high-contrast"):
    asyncio.run(show(theme))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    )
    return next(out.glob("devsynth_tui-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel and its declared dependencies (no extras): what `pipx install .` makes."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),  # a PYTHONPATH onto the checkout would make pip see the project as installed already
    )
    return venv / "bin"


def clean_env() -> dict[str, str]:
    """This environment without what points Python at the checkout or its venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def run(exe: Path, *args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = clean_env()
    env.update(DEVSYNTH_TUI_HOME=str(home), XDG_CONFIG_HOME=str(home / "xdg"))
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_wheel_holds_every_module_theme_stylesheet_and_the_default_config(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {p.relative_to(REPO).as_posix() for p in (REPO / "devsynth_tui").rglob("*.py")}
    assert source <= names, f"modules missing from the wheel: {sorted(source - names)}"
    themes = {f"devsynth_tui/themes/{p.name}" for p in (REPO / "themes").glob("*.yaml")}
    assert len(themes) >= 3 and themes <= names
    assert {"devsynth_tui/defaults/default.yaml", "devsynth_tui/ui/app.tcss"} <= names


def test_installed_copy_runs_version_config_and_every_theme(installed, tmp_path):
    home = tmp_path / "home"
    version = run(installed / "devsynth-tui", "--version", cwd=tmp_path, home=home)
    assert version.returncode == 0 and version.stdout.strip() == f"devsynth-tui {__version__}"
    show = run(installed / "devsynth-tui", "config", "show", cwd=tmp_path, home=home)
    assert show.returncode == 0 and "# effective config from: defaults" in show.stdout and "base_url:" in show.stdout
    default = run(installed / "devsynth-tui", "config", "default", cwd=tmp_path, home=home)
    assert default.returncode == 0 and default.stdout == (REPO / "config" / "default.yaml").read_text()
    pilot = run(installed / "python", "-c", PILOT, cwd=tmp_path, home=home)
    assert pilot.returncode == 0, pilot.stderr[-2000:]
    assert pilot.stdout.split("\n")[:3] == [
        "dark devsynth-dark 44.0 0",
        "light devsynth-light 44.0 0",
        "high-contrast devsynth-high-contrast 44.0 0",
    ]
