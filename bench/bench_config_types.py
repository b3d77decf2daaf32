"""Typed config sections: the named tuples the code uses (config_sections.py) against msgspec Structs.

Side by side in one run, each start-up figure a median of fresh processes importing this tree:
- `python -c pass` (the floor), `devsynth-tui --help`, `import devsynth_tui.config` (the loader and its schema),
  `import devsynth_tui.config_sections` (the named tuples, imported on a config's first typed access)
- `import` of a msgspec module of Structs generated from today's SCHEMA (every key, its type and default;
  choices as Literal; no range checks, which would only add Meta objects)
- validating the shipped default.yaml: today's validate_layer against msgspec.convert, median of 200
- building the typed view of a loaded config (once per Config): config_sections.build against
  msgspec.convert into the Structs; and one lookup: cfg.llm.temperature (the cached view) against
  cfg.get("llm.temperature")

msgspec is installed for this run only, into a temporary folder (pip, from the package index).

    .venv/bin/python bench/bench_config_types.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from bench_cli import EXE, timed  # noqa: E402  (bench/ is on sys.path when a bench runs as a script)

from devsynth_tui import config as c  # noqa: E402
from devsynth_tui import config_schema as schema  # noqa: E402

TYPES = {
    "bool": "bool",
    "int": "int",
    "float": "float",
    "str": "str",
    "optstr": "str | None",
    "optint": "int | None",
    "list[str]": "list[str]",
    "dict[str]": "dict[str, str]",
    "strategy": "Strategy | list[Strategy]",
}


def struct_source() -> str:
    """A module of msgspec Structs for today's SCHEMA."""
    lines = [
        "from typing import Literal",
        "import msgspec",
        "",
        f"Strategy = Literal[{', '.join(map(repr, schema.STRATEGIES))}]",
        "",
    ]

    def emit(name: str, node: dict) -> str:
        fields = []
        for key, value in node.items():
            if isinstance(value, schema.Key):
                kind = f"Literal[{', '.join(map(repr, value.choices))}]" if value.choices else TYPES[value.kind]
                default = repr(value.default)
                if isinstance(value.default, (list, dict)):
                    default = f"msgspec.field(default_factory=lambda: {default})"
                fields.append(f"    {key}: {kind} = {default}")
            else:
                sub = emit(name + key.title().replace("_", ""), value)
                fields.append(f"    {key}: {sub} = msgspec.field(default_factory={sub})")
        lines.extend([f"class {name}(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):", *fields, ""])
        return name

    emit("Config", schema.SCHEMA)
    return "\n".join(lines)


def per_call(fn, runs: int = 200) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    work = Path(tempfile.mkdtemp())
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", str(work), "msgspec"],
        check=True,
        capture_output=True,
    )
    (work / "typed_config.py").write_text(struct_source())
    # this tree first: the installed devsynth-tui may be another checkout
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(work)]), "DEVSYNTH_TUI_HOME": str(work / "home")}

    def start(args: list[str]) -> float:
        return timed(args, env, runs=21)

    floor = start([sys.executable, "-c", "pass"])
    rows = [
        ("python -c pass (the floor)", floor),
        ("devsynth-tui --help", start([EXE, "--help"])),
        ("import devsynth_tui.config (the loader)", start([sys.executable, "-c", "import devsynth_tui.config"])),
        (
            "import config + config_sections",
            start([sys.executable, "-c", "import devsynth_tui.config, devsynth_tui.config_sections"]),
        ),
        ("import msgspec alone", start([sys.executable, "-c", "import msgspec"])),
        ("import msgspec Structs of the schema", start([sys.executable, "-c", "import typed_config"])),
    ]
    for name, value in rows:
        print(f"{name:40} {value * 1000:6.1f} ms   ({(value - floor) * 1000:+6.1f} ms over the floor)")

    sys.path.insert(0, str(work))
    import msgspec
    import typed_config

    data = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
    assert msgspec.to_builtins(msgspec.convert(data, typed_config.Config)) == schema.defaults()  # the same schema
    today = per_call(lambda: schema.validate_layer(data, "default.yaml"))
    typed = per_call(lambda: msgspec.convert(data, typed_config.Config))
    print(f"{'validate default.yaml: today':40} {today * 1e6:6.0f} us")
    print(f"{'validate default.yaml: msgspec.convert':40} {typed * 1e6:6.0f} us   (x{today / typed:.0f} faster)")

    from devsynth_tui.config_sections import build

    cfg = c.load(ROOT / "config" / "default.yaml", use_overrides=False)
    assert msgspec.to_builtins(msgspec.convert(cfg.data, typed_config.Config)) == cfg.data
    tuples = per_call(lambda: build(cfg.data))
    structs = per_call(lambda: msgspec.convert(cfg.data, typed_config.Config))
    print(f"{'typed view, once per Config: named tuples':40} {tuples * 1e6:6.0f} us")
    print(f"{'typed view, once per Config: msgspec':40} {structs * 1e6:6.0f} us")
    dotted = per_call(lambda: cfg.get("llm.temperature"), 2000)
    typed_lookup = per_call(lambda: cfg.llm.temperature, 2000)
    print(f"{'lookup: cfg.get(llm.temperature)':40} {dotted * 1e9:6.0f} ns")
    print(f"{'lookup: cfg.llm.temperature (cached)':40} {typed_lookup * 1e9:6.0f} ns")


if __name__ == "__main__":
    main()
