import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli

from devsynth_tui import config as c
from devsynth_tui.config import load
from devsynth_tui.config_overrides import save_overrides
from devsynth_tui.config_schema import ALL_KEYS, ConfigError, defaults

# The guide's YAML snippets, committed as test data; checked against the guide wherever it is at hand.
SNIPPETS = re.split(r"^---\n", (REPO / "tests" / "fixtures" / "guide_snippets.yaml").read_text(), flags=re.M)
GUIDE_NAME = "devsynth-performance-guide.md"
GUIDE_PLACES = [
    REPO / "docs" / GUIDE_NAME,
    REPO.parent / "shared" / "seed" / GUIDE_NAME,
    Path("/work/shared/seed") / GUIDE_NAME,
]


def _guide_snippets() -> list[str]:
    guide = next((p for p in GUIDE_PLACES if p.is_file()), None)
    if guide is None:
        pytest.skip(f"the guide is not at hand ({', '.join(map(str, GUIDE_PLACES))}): the fixture can't be compared")
    return re.findall(r"^```yaml\n(.*?)^```$", guide.read_text(), re.S | re.M)


def test_snippet_fixture_is_the_guides_snippets():
    guide = _guide_snippets()
    assert guide, "the guide has no ```yaml snippets: the pattern or the guide changed"
    assert [yaml.safe_load(s) for s in SNIPPETS] == [yaml.safe_load(s) for s in guide]


def test_every_key_the_guide_map_names_exists():
    text = (REPO / "docs" / "guide-map.md").read_text()
    named = set(re.findall(r"`((?:tokens|memory|cpu|disk|llm|pricing|monitor)\.[a-z_.]+)`", text))
    assert len(named) >= 35
    assert sorted(named - set(ALL_KEYS)) == []


def _leaves(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict) and f"{prefix}{k}" not in ALL_KEYS:
            yield from _leaves(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


@pytest.mark.parametrize("snippet", SNIPPETS, ids=range(len(SNIPPETS)))
def test_every_guide_snippet_is_accepted_and_takes_effect(snippet, tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(snippet)
    cfg = load(path)
    for key, value in _leaves(yaml.safe_load(snippet)):
        assert cfg.get(key) == value, key


def test_shipped_default_yaml_matches_schema_and_names_every_key():
    text = (REPO / "config" / "default.yaml").read_text()
    assert c.read_yaml_layer(REPO / "config" / "default.yaml") == defaults()
    for key in ALL_KEYS:
        assert key.split(".")[-1] + ":" in text, key
    assert f"${c.ENV_API_KEY}" in ALL_KEYS["llm.api_key"].doc  # the doc names the variable the loader reads


def _error(tmp_path, text) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        load(path)
    msg = str(e.value)
    assert "\n" not in msg and str(path) in msg
    return msg


@pytest.mark.parametrize(
    "text, expect",
    [
        ("llm:\n  temperature: 5\n", ["line 2", "llm.temperature", "between 0 and 2", "5"]),
        ("llm:\n  temperature: hot\n", ["llm.temperature", "expected a number"]),
        ("llm:\n  embedded: sometimes\n", ["line 2", "llm.embedded.mode", "auto, always, never", "'sometimes'"]),
        ("llm:\n  embedded:\n    batch_size: 100\n", ["line 3", "llm.embedded.batch_size", "between 512 and 65536"]),
        ("llm:\n  embedded:\n    thread: 4\n", ["llm.embedded.thread", "unknown key", "threads"]),
        ("llm:\n  temprature: 0.2\n", ["llm.temprature", "unknown key", "did you mean temperature?"]),
        ("tokens:\n  context_pruning:\n    strategy: magic\n", ["line 3", "unknown strategy 'magic'"]),
        ("tokens:\n  context_pruning:\n    threshold: 1.5\n", ["tokens.context_pruning.threshold", "between 0 and 1"]),
        (
            "tokens:\n  context_pruning:\n    priorities:\n      code: urgent\n",
            ["priorities", "'urgent'", "high, medium, low"],
        ),
        (
            "tokens:\n  response_optimization:\n    termination_patterns: ['(']\n",
            ["termination_patterns", "not a valid regular expression"],
        ),
        ("disk:\n  caching:\n    max_size: 0\n", ["disk.caching.max_size"]),
        ("disk:\n  caching:\n    max_size: -5\n", ["disk.caching.max_size"]),
        ("disk:\n  compression:\n    level: 10\n", ["disk.compression.level", "between 1 and 9"]),
        ("cpu:\n  process_priority: urgent\n", ["cpu.process_priority", "low, normal, high"]),
        ("memory: 5\n", ["line 1", "memory", "expected a section"]),
        ("llm:\n  temperature: [0.2\n", ["YAML syntax error", "line 2"]),  # where the [ opened, not the file's end
        ('llm:\n  base_url: "http://x\n  model: m\n', ["line 2", "quoted scalar", "unexpected end of stream"]),
        ("llm:\n  model: a\n temperature: 1\n", ["line 3", "YAML syntax error"]),  # the line out of step
        ("llm:\n\ttemperature: 1\n", ["YAML syntax error"]),
        ("- just\n- a list\n", ["expected a mapping"]),
        ("llm:\n  base_url: localhost:1234\n", ["llm.base_url", "http://"]),
        ("llm:\n  max_tokens: true\n", ["llm.max_tokens", "whole number"]),
    ],
)
def test_bad_files_give_one_line_error(tmp_path, text, expect):
    msg = _error(tmp_path, text)
    for part in expect:
        assert part in msg, (part, msg)


def test_unreadable_and_binary_files(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load(tmp_path / "missing.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ConfigError, match="cannot read"):
        load(tmp_path / "bin.yaml")


def test_load_order_file_env_flags(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("llm:\n  base_url: http://file:1/v1\n  temperature: 0.5\n")
    assert load(path).get("llm.base_url") == "http://file:1/v1"
    monkeypatch.setenv("LM_STUDIO_ENDPOINT", "http://127.0.0.1:1234")
    assert load(path).get("llm.base_url") == "http://127.0.0.1:1234"
    monkeypatch.setenv("DEVSYNTH_TUI_BASE_URL", "http://env:2/v1")
    assert load(path).get("llm.base_url") == "http://env:2/v1"
    cfg = load(path, base_url="http://flag:3")
    assert cfg.get("llm.base_url") == "http://flag:3" and cfg.get("llm.temperature") == 0.5
    monkeypatch.setenv("DEVSYNTH_TUI_CONFIG", str(path))
    assert load().get("llm.temperature") == 0.5


def test_user_config_dir_file_is_read(tmp_path):
    path = c.user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("llm:\n  top_k: 7\n")
    assert load().get("llm.top_k") == 7


def test_base_url_with_or_without_v1():
    assert c.normalize_base_url("http://localhost:1234/v1/") == "http://localhost:1234"
    assert c.normalize_base_url("http://localhost:1234") == "http://localhost:1234"


def test_strategy_list_and_overrides_validate():
    cfg = load().with_values({"tokens.context_pruning.strategy": ["recency", "summarization"]})
    assert cfg.get("tokens.context_pruning.strategy") == ["recency", "summarization"]
    with pytest.raises(ConfigError, match=r"llm\.top_p"):
        cfg.with_values({"llm.top_p": 3})


def test_cli_config_check_and_show_redacts(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("llm:\n  api_key: sk-FAKE-1234567890\n  temperature: 0.3\n")
    r = run_cli("config", "check", str(good))
    assert r.returncode == 0 and "valid" in r.stdout
    r = run_cli("--config", str(good), "config", "show")
    assert r.returncode == 0 and "temperature: 0.3" in r.stdout
    assert "sk-FAKE" not in r.stdout + r.stderr and "***" in r.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("llm:\n  temperature: 5\n")
    r = run_cli("config", "check", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "line 2" in r.stderr and "llm.temperature" in r.stderr


def test_config_check_reports_every_bad_key_and_suggests_the_close_one(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("llm:\n  temprature: 0.2\n  top_p: 3\nmemory:\n  max_context_size: -1\n")
    r = run_cli("config", "check", str(bad))
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 3, r.stderr
    assert "line 2" in lines[0] and "llm.temprature" in lines[0] and "did you mean temperature?" in lines[0]
    assert "line 3" in lines[1] and "llm.top_p" in lines[1]
    assert "line 5" in lines[2] and "memory.max_context_size" in lines[2]


def test_embedded_as_one_value_from_an_earlier_version_still_means_its_mode(tmp_path, app_home):
    user = tmp_path / "config.yaml"
    user.write_text("llm:\n  embedded: never\n")
    cfg = load(user)
    assert cfg.get("llm.embedded") == defaults()["llm"]["embedded"] | {"mode": "never"}
    r = run_cli("config", "check", str(user))
    assert r.returncode == 0 and "is valid" in r.stdout, r.stderr
    # an overrides.yaml the dashboard wrote before stays readable, and is rewritten in the new shape with nothing lost
    app_home.mkdir(parents=True, exist_ok=True)
    c.overrides_path().write_text("llm:\n  embedded: always\n  temperature: 0.5\n")
    assert load().get("llm.embedded.mode") == "always"
    save_overrides({"llm.embedded.threads": 2})
    saved = yaml.safe_load(c.overrides_path().read_text())
    assert saved["llm"] == {"embedded": {"mode": "always", "threads": 2}, "temperature": 0.5}
    assert load().with_values({"llm.embedded": "auto"}).get("llm.embedded.threads") == 2
