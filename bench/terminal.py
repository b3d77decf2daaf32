"""The real devsynth-tui (or a reference program) in a real terminal, tmux, for the benches.

A ``Terminal`` runs one command in a detached tmux session of a given size; ``wait_for`` polls what
the terminal shows until a condition holds and says how long that took from a given start.
``app_command`` builds the command line for this checkout or another one (``--against``), so
the same measure can be taken of both, interleaved, in one run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def checkouts(against: Path | None) -> dict[str, Path]:
    """This checkout, and ``--against``'s when given, by the name a bench prints."""
    found = {"devsynth-tui": ROOT}
    if against:
        found[f"devsynth-tui ({against.name})"] = against
    return found


def session_in(script: str, args: list[str], checkout: Path) -> dict:
    """``script --session ARGS`` run from ``checkout`` in a fresh process and app home: the JSON it printed last."""
    env = {**os.environ, "DEVSYNTH_TUI_HOME": tempfile.mkdtemp(), "XDG_CONFIG_HOME": tempfile.mkdtemp()}
    out = subprocess.run(
        [sys.executable, script, "--session", *args], capture_output=True, text=True, env=env, cwd=checkout, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def app_config(base_url: str, **llm) -> str:
    """A config file for the app under test: this server, never the embedded one, plus ``llm`` keys."""
    path = Path(tempfile.mkdtemp()) / "config.yaml"
    path.write_text(yaml.safe_dump({"llm": {"base_url": base_url, "embedded": "never", **llm}}))
    return str(path)


# Byte code kept outside the checkouts, as an installed package has it: without it (PYTHONDONTWRITEBYTECODE
# set, as here) each start compiles devsynth-tui's sources again, while Textual's come compiled.
PYCACHE = str(Path(tempfile.gettempdir()) / "devsynth-bench-pycache")
PYTHON = f"env -u COLUMNS -u LINES -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX={shlex.quote(PYCACHE)}"


def app_command(config: str, checkout: Path = ROOT) -> str:
    """``python -m devsynth_tui`` from ``checkout`` (run in it: ``-m`` looks in the current folder first)
    with a fresh app home and ``config``."""
    env = {
        "PYTHONPATH": str(checkout),
        "DEVSYNTH_TUI_HOME": tempfile.mkdtemp(),
        "XDG_CONFIG_HOME": tempfile.mkdtemp(),
        "TERM": "xterm-256color",
    }
    assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    return (
        f"cd {shlex.quote(str(checkout))} && {PYTHON} {assigns} {shlex.quote(sys.executable)}"
        f" -m devsynth_tui --config {shlex.quote(config)}"
    )


def script_command(script: str) -> str:
    return f"{PYTHON} TERM=xterm-256color {shlex.quote(sys.executable)} -c {shlex.quote(script)}"


class Terminal:
    """One command in a detached tmux session; killed on exit."""

    count = 0

    def __init__(self, command: str, size: tuple[int, int] = (160, 48)) -> None:
        Terminal.count += 1
        self.name = f"bench-{os.getpid()}-{Terminal.count}"
        self.command, self.size = command, size

    def __enter__(self) -> Terminal:
        for _ in range(3):  # a tmux server still closing after the last session ends refuses new ones
            self.started = time.perf_counter()
            created = subprocess.run(
                [
                    "tmux",
                    "new-session",
                    "-d",
                    "-s",
                    self.name,
                    "-x",
                    str(self.size[0]),
                    "-y",
                    str(self.size[1]),
                    self.command,
                ],
                capture_output=True,
                text=True,
            )
            if created.returncode == 0:
                return self
            time.sleep(0.5)
        raise RuntimeError(f"tmux new-session failed: {created.stderr.strip()}")

    def __exit__(self, *exc) -> None:
        tmux("kill-session", "-t", self.name)

    def screen(self) -> str:
        return tmux("capture-pane", "-p", "-t", self.name)

    def send(self, *keys: str) -> float:
        """Type ``keys`` (tmux key names or text); returns when they were sent."""
        t = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)
        return t

    def wait_for(self, *patterns: str, since: float | None = None, timeout: float = 60.0, poll: float = 0.003) -> float:
        """Seconds from ``since`` (the session's start) until every regex in ``patterns`` is on screen."""
        since = self.started if since is None else since
        deadline = time.perf_counter() + timeout
        compiled = [re.compile(p) for p in patterns]
        while True:
            text = self.screen()
            now = time.perf_counter()
            if all(p.search(text) for p in compiled):
                return now - since
            if now > deadline:
                raise TimeoutError(f"{patterns} not on screen after {timeout:g} s; the screen was:\n{text}")
            time.sleep(poll)

    def process(self, marker: str = "devsynth_tui") -> psutil.Process:
        """The process of the command: the innermost one in the pane whose command line holds ``marker``."""
        pane = psutil.Process(int(tmux("display", "-p", "-t", self.name, "#{pane_pid}").strip()))
        found = [p for p in [pane, *pane.children(recursive=True)] if marker in " ".join(p.cmdline())]
        if not found:
            raise RuntimeError(f"no process with {marker!r} in {self.name}")
        return found[-1]


def cpu_percent(process: psutil.Process, seconds: float) -> float:
    """The process's CPU over ``seconds``, as % of one core."""
    t0, c0 = time.perf_counter(), sum(process.cpu_times()[:2])
    time.sleep(seconds)
    return (sum(process.cpu_times()[:2]) - c0) / (time.perf_counter() - t0) * 100
