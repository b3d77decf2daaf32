"""The typed sections (cfg.llm.temperature) agree with the dotted lookups (cfg.get) for every key of the schema."""

import copy
from collections.abc import Mapping
from operator import attrgetter
from typing import Literal, get_type_hints

import pytest

from devsynth_tui import config_sections
from devsynth_tui.config import load
from devsynth_tui.config_schema import ALL_KEYS

CHANGED = """\
tokens:
  context_pruning: {strategy: recency, threshold: 0.5, priorities: {code: high}}
  response_optimization: {termination_patterns: ["STOP"]}
llm:
  model: qwen
  embedded: never
  seed: 7
  temperature: 0.9
  dynamic_model_selection: {models: {simple: tiny}}
metrics: {port: 9100}
tasks: {lint: "Lint the context."}
"""

KINDS = {
    "bool": bool,
    "int": int,
    "float": float,
    "str": str,
    "optstr": str | None,
    "optint": int | None,
    "list[str]": tuple[str, ...],
    "dict[str]": Mapping[str, str],
    "strategy": config_sections.Strategy | tuple[config_sections.Strategy, ...],
}


def leaves(cls, prefix=""):
    """Every dotted key the typed sections hold, with its annotation."""
    for name, kind in get_type_hints(cls).items():
        if isinstance(kind, type) and issubclass(kind, tuple):  # a section (a named tuple)
            yield from leaves(kind, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", kind


def plain(value):
    return list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, Mapping) else value


@pytest.fixture(params=["defaults", "changed"])
def cfg(request, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVSYNTH_TUI_HOME", str(tmp_path / "home"))
    path = tmp_path / "config.yaml"
    path.write_text(CHANGED if request.param == "changed" else "")
    return load(path)


def test_every_schema_key_is_a_typed_field_and_nothing_else():
    assert dict(leaves(config_sections.Sections)).keys() == ALL_KEYS.keys()


def test_each_fields_type_is_its_keys_kind():
    for path, kind in leaves(config_sections.Sections):
        key = ALL_KEYS[path]
        assert kind == (Literal[key.choices] if key.choices else KINDS[key.kind]), path


def test_the_typed_view_holds_the_value_of_every_key(cfg):
    for path in ALL_KEYS:
        assert plain(attrgetter(path)(cfg)) == cfg.get(path), path


def test_the_changed_file_reaches_the_typed_view(tmp_path, monkeypatch):
    monkeypatch.setenv("DEVSYNTH_TUI_HOME", str(tmp_path))
    (tmp_path / "c.yaml").write_text(CHANGED)
    cfg = load(tmp_path / "c.yaml")
    assert cfg.llm.embedded.mode == "never" and cfg.llm.seed == 7 and cfg.metrics.port == 9100
    assert cfg.tokens.context_pruning.strategy == "recency" and cfg.tasks == {"lint": "Lint the context."}


def test_the_view_is_built_once_per_config_and_read_only(cfg):
    assert cfg.sections is cfg.sections
    changed = cfg.with_values({"llm.temperature": 1.5}, "command line")
    assert changed.llm.temperature == 1.5 and cfg.llm.temperature != 1.5
    with pytest.raises(AttributeError):
        cfg.llm.temperature = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.tasks["new"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        cfg.tokens.response_optimization.termination_patterns.append("x")  # type: ignore[attr-defined]
    assert copy.deepcopy(cfg).tasks == cfg.tasks == cfg.get("tasks")
