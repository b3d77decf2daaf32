"""The dashboard's start and idle in a real terminal (tmux), against the embedded llama.cpp server.

1. start to the complete first view, at 160x48 (chat, footer, status line, token counters and the
   resources with figures) and at 80x24 (chat, footer, status line: the sidebar is hidden); when the
   footer alone appeared too (the first paint), and when the status line named the server. Median of
   RUNS, interleaved with a bare Textual app (a header, one line of text, an input and a footer: the
   floor for any Textual program on this machine, in the same run), and issue 22's goals as ratios to
   it: server named 1.6x, first paint 1.3x.
2. idle: CPU of the app process over --idle seconds once connected, at 160x48 (resources on screen,
   sampled every monitor.interval) and at 80x24 (resources hidden); the bare Textual app beside it.
3. memory: RSS idle, and after the first answer from the embedded server, as MB over the bare app
   (goals: +35 MB idle, +45 MB after the first answer).

Programs start with their byte code cached (bench/terminal.py), as an installed package has it.

With ``--against CHECKOUT`` the same measures are taken of another checkout of devsynth-tui
(e.g. main), interleaved with this one's.

    .venv/bin/python bench/bench_dashboard.py [--against /path/to/other/checkout] [--runs 7] [--idle 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.terminal import Terminal, app_command, app_config, cpu_percent, load_average, script_command
from devsynth_tui.services.llm.embedded import EmbeddedServer

FOOTER = r"\^p palette"  # the footer's last key, at any width
COMPLETE = {  # what the complete first view shows, per size
    (160, 48): (
        FOOTER,
        r"Ask the model",
        r"Tokens · this session",
        r"CPU \(machine\): \d+\.\d%",
        r"devsynth-tui memory: \d+ MB",
        r"(connecting|server at)",
    ),
    (80, 24): (FOOTER, r"Ask the model", r"(connecting|server at)"),
}
BARE_TEXTUAL = """
from textual.app import App
from textual.widgets import Footer, Header, Input, Static
class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Header()
        yield Static("ready")
        yield Input()
        yield Footer()
Bare().run()
"""


def programs(url: str, against: Path | None) -> dict[str, str]:
    config = app_config(url)
    found = {"devsynth-tui": app_command(config)}
    if against:
        found[f"devsynth-tui ({against.name})"] = app_command(config, against)
    found["bare Textual app"] = script_command(BARE_TEXTUAL)
    return found


Times = dict[str, tuple[list[float], list[float], list[float]]]


def start_times(commands: dict[str, str], size: tuple[int, int], runs: int) -> Times:
    """Per program: seconds to the footer, to the complete view, and to the server named on it (the bare app:
    its one view, three times), ``runs`` each, interleaved."""
    times: Times = {name: ([], [], []) for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            app = name.startswith("devsynth-tui")
            with Terminal(command, size) as term:
                times[name][0].append(term.wait_for(FOOTER if app else r"Quit"))
                times[name][1].append(term.wait_for(*(COMPLETE[size] if app else (r"Quit", r"ready"))))
                times[name][2].append(term.wait_for(r"server at") if app else times[name][1][-1])
            time.sleep(0.3)
    return times


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms ({', '.join(f'{v * 1000:.0f}' for v in values)})"


def print_starts(times: Times) -> None:
    floor_paint, floor_view, _ = (statistics.median(v) for v in times["bare Textual app"])
    for name, (footer, complete, named) in times.items():
        line = f"  {name:32} complete {ms(complete)}; footer {ms(footer)}"
        if name != "bare Textual app":
            view, paint = statistics.median(named) / floor_view, statistics.median(footer) / floor_paint
            line += (
                f"; server named {ms(named)}\n  {'':32} server named {view:.2f}x the bare app's view (goal 1.6x),"
                f" first paint {paint:.2f}x (goal 1.3x)"
            )
        print(line, flush=True)


def idle_and_memory(commands: dict[str, str], size: tuple[int, int], answer: bool, seconds: float) -> None:
    floor = None
    for name, command in reversed(commands.items()):  # the bare app first: the others' MB are over it
        app = name.startswith("devsynth-tui")
        with Terminal(command, size) as term:
            term.wait_for(*(COMPLETE[size] if app else (r"Quit", r"ready")))
            if app:
                term.wait_for(r"server at", timeout=60)
            time.sleep(5)  # connected, warmed up, settled
            process = term.process("devsynth_tui" if app else "Bare")
            cpu = cpu_percent(process, seconds)
            rss = process.memory_info().rss / 2**20
            floor = floor or rss
            line = f"  {name:32} idle {cpu:5.2f} % of a core over {seconds:g} s, RSS {rss:.0f} MB"
            if app:
                line += f" (bare +{rss - floor:.0f} MB, goal +35)"
            if app and answer:
                term.send("Say hello in five words.")
                term.wait_for(r"five words")
                term.send("Enter")  # apart from the text: sent with it, the Enter was sometimes lost
                term.wait_for(r"tok/s", timeout=120)
                time.sleep(2)
                after = process.memory_info().rss / 2**20
                line += f", {after:.0f} MB after the first answer (bare +{after - floor:.0f} MB, goal +45)"
            print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another checkout of devsynth-tui to measure alongside")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle", type=float, default=30, help="seconds of idle CPU measured")
    args = parser.parse_args()
    print(load_average(), flush=True)
    server = EmbeddedServer(Path(tempfile.mkdtemp()))
    server.start()
    try:
        commands = programs(server.base_url, args.against)
        for size in ((160, 48), (80, 24)):
            print(f"start to the complete first view, {size[0]}x{size[1]}:", flush=True)
            print_starts(start_times(commands, size, args.runs))
        for size in ((160, 48), (80, 24)):
            print(
                f"idle, {size[0]}x{size[1]} ({'resources on screen' if size[0] >= 110 else 'resources hidden'}):",
                flush=True,
            )
            idle_and_memory(commands, size, answer=size == (160, 48), seconds=args.idle)
    finally:
        server.stop()
    print(load_average())


if __name__ == "__main__":
    main()
