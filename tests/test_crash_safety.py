"""Crash safety: writers killed with SIGKILL at random moments lose nothing that was committed;
bad config files only ever raise a readable ConfigError."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devsynth_tui import config as c
from devsynth_tui.config import app_home, overrides_path
from devsynth_tui.config_schema import ALL_KEYS, ConfigError, set_path
from devsynth_tui.services.store.database import db_path

KILLS = 100

WRITER = {
    "ledger": (
        "from devsynth_tui.services.store.ledger import Ledger, LedgerRow\n"
        "from devsynth_tui.services.store.database import Store, db_path\nfrom devsynth_tui.config import app_home\n"
        "l = Ledger(Store(db_path(app_home())))\nprint('ready', flush=True)\n"
        "while True:\n    n = l.record(LedgerRow('crash', prompt_tokens=7))\n    print(n, flush=True)\n"
    ),
    "conversations": (
        "from devsynth_tui.services.store.conversations import Conversations, Message\n"
        "from devsynth_tui.services.store.database import Store, db_path\nfrom devsynth_tui.config import app_home\n"
        "cs = Conversations(Store(db_path(app_home())))\ncid = cs.create('crash')\nprint('ready', flush=True)\n"
        "while True:\n    n = cs.add(cid, Message('user', 'x' * 500))\n    print(n, flush=True)\n"
    ),
}


def _kill_loop(kind: str) -> set[int]:
    """Start a writer KILLS times, SIGKILL it at a random moment; return the ids whose commit returned."""
    committed: set[int] = set()
    rng = random.Random(1234)
    for _ in range(KILLS):
        p = subprocess.Popen([sys.executable, "-c", WRITER[kind]], stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.03))
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
        committed |= {int(line) for line in out.split() if line.isdigit()}
    return committed


def _check(table: str, committed: set[int]) -> None:
    conn = sqlite3.connect(db_path(app_home()))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    present = {row[0] for row in conn.execute(f"SELECT id FROM {table}")}
    assert committed and committed <= present, f"lost {len(committed - present)} committed rows"


def test_ledger_survives_sigkill():
    _check("requests", _kill_loop("ledger"))


def test_conversations_survive_sigkill():
    _check("messages", _kill_loop("conversations"))


def test_overrides_file_is_old_or_new_never_half():
    script = (
        "from devsynth_tui.config_overrides import save_overrides\nimport itertools\n"
        "for n in itertools.count():\n    save_overrides({'llm.top_k': n % 1000, 'llm.temperature': 0.5})\n"
        "    print(n, flush=True)\n"
    )
    rng = random.Random(99)
    killed = set()
    for _ in range(KILLS):
        p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "0"  # imports done, one save made: kills now land amid saves
        time.sleep(rng.uniform(0, 0.03))
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
        killed.add(p.pid)
        last = max([0] + [int(line) for line in out.split()])
        data = c.read_yaml_layer(overrides_path())  # parses and validates: never half written
        assert data["llm"]["temperature"] == 0.5
        assert data["llm"]["top_k"] in (last % 1000, (last + 1) % 1000)  # the last save returned, or the next one
    # a killed writer may leave its own hidden temp file (at most one); nothing else is left behind
    leftovers = [f for f in os.listdir(app_home()) if f.endswith(".tmp")]
    assert all(f.startswith(".overrides.yaml.") for f in leftovers), leftovers
    pids = [int(f.split(".")[3]) for f in leftovers]
    assert set(pids) <= killed and len(pids) == len(set(pids)), leftovers


# --- config fuzzing ----------------------------------------------------------------------------------

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _document():
    keys = list(ALL_KEYS)
    return st.dictionaries(st.sampled_from(keys), VALUES, max_size=6)


def _nest(flat: dict) -> dict:
    out: dict = {}
    for key, value in flat.items():
        set_path(out, key, value)
    return out


def _load_text(tmp_path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text)
    try:
        c.load(path)
    except ConfigError as e:
        message = str(e)
        assert message and "\n" not in message and str(path) in message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_document())
def test_random_values_for_every_key(tmp_path, flat):
    _load_text(tmp_path, yaml.safe_dump(_nest(flat), allow_unicode=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_random_yaml_text(tmp_path, text):
    _load_text(tmp_path, text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.text(max_size=10), VALUES, max_size=4))
def test_random_documents(tmp_path, doc):
    _load_text(tmp_path, yaml.safe_dump(doc, allow_unicode=True))
