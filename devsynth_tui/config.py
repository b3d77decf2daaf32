"""Configuration loading: the layers, where each value came from, and the effective config.

Load order (later wins): schema defaults < user config file < dashboard overrides
file (app home) < environment variables < command-line flags. The keys and their checks are in
config_schema.py; the typed view (``cfg.llm.temperature``) in config_sections.py; the dashboard writes its
overrides file with config_overrides.py.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devsynth_tui.config_schema import (
    ALL_KEYS,
    ConfigError,
    check_api_key,
    check_cross_keys,
    defaults,
    get_path,
    set_path,
    validate_layer,
)

ENV_BASE_URL = "DEVSYNTH_TUI_BASE_URL"
ENV_LM_STUDIO = "LM_STUDIO_ENDPOINT"
ENV_CONFIG = "DEVSYNTH_TUI_CONFIG"
ENV_HOME = "DEVSYNTH_TUI_HOME"
ENV_API_KEY = "DEVSYNTH_TUI_API_KEY"
ENV_MODEL = "DEVSYNTH_TUI_MODEL"
UNCLOSED = ("while scanning a quoted scalar", "while parsing a flow")  # PyYAML's words for an unclosed quote, [ or {


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


def safe_yaml_loader():
    """PyYAML's safe loader, in C (libyaml) when PyYAML was built with it, as its wheels are: the shipped
    config took 24 ms to read in Python, on every start, and 1 ms in C (this 2-core machine)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str) -> tuple[Any, Any]:
    """(the document's root node, its data), parsed once: the node gives each key's line."""
    loader = safe_yaml_loader()(text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml_layer(path: Path, problems: list[ConfigError] | None = None) -> dict:
    """Read and validate one YAML config file; any problem is a ConfigError (bad keys go to ``problems``
    when given, see :func:`validate_layer`)."""
    import yaml

    source = str(path)
    text = read_config_text(path)
    try:
        node, data = _parse_yaml(text)
        lines = _key_lines(node)
    except yaml.MarkedYAMLError as e:
        opened = (e.context or "").startswith(UNCLOSED)  # found at the file's end: said where it opened
        mark = (e.context_mark if opened else None) or e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problem = ": ".join(p.strip() for p in (e.context, e.problem) if p) or "invalid YAML"
        raise ConfigError(f"YAML syntax error: {problem}", "", source, line) from None
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        raise ConfigError(
            f"YAML error: {str(e).splitlines()[0] if str(e) else e.__class__.__name__}", "", source
        ) from None
    return validate_layer(data, source, lines, problems)


def key_line(source: str, key: str) -> int | None:
    """The line of a dotted key in the config file ``source``; None for a layer that is no file (defaults, the
    environment, the command line) or a file no longer readable as it was."""
    import yaml

    if source in ("defaults", "environment", "command line", "override") or not Path(source).is_file():
        return None
    try:
        node, _ = _parse_yaml(read_config_text(Path(source)))
    except (ConfigError, yaml.YAMLError, RecursionError, ValueError):
        return None
    return _key_lines(node).get(key)


def _set_keys(layer: dict) -> list[str]:
    """The dotted keys a (validated) layer sets."""
    out = []
    for path in ALL_KEYS:
        try:
            get_path(layer, path)
        except (KeyError, TypeError):
            continue
        out.append(path)
    return out


def merge(base: dict, layer: dict) -> dict:
    """Deep-merge ``layer`` into a copy of ``base``; leaf values (lists, mappings of names) replace."""
    out = copy.deepcopy(base)
    for path in _set_keys(layer):
        set_path(out, path, copy.deepcopy(get_path(layer, path)))
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


def read_overrides(path: Path, problems: list[ConfigError]) -> dict:
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
        return get_path(self.data, path)

    def origin(self, path: str) -> str:
        """Where a key's value came from: "defaults", a file path, "environment", "command line", ..."""
        return self.origins.get(path, "defaults")

    def __getitem__(self, section: str) -> Any:
        return self.data[section]

    def with_values(self, values: dict[str, Any], source: str = "override") -> Config:
        """A copy with dotted-path values validated and applied."""
        layer: dict = {}
        for path, value in values.items():
            set_path(layer, path, value)
        checked = validate_layer(layer, source)
        data = merge(self.data, checked)
        check_cross_keys(data, source)
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
                layer = read_overrides(layer_path, problems)
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
    check_cross_keys(cfg.data, " < ".join(sources))
    return cfg
