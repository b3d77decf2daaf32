"""Bad input is refused before any model call: exit 2, one line naming the file and why, no request, no row."""

import codecs

import pytest
from conftest import run_cli

from devsynth_tui.config import app_home
from devsynth_tui.services.context.items import ContextError, load_files
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger


def bad_files(tmp_path):
    """(case, path, words the line must hold) for every kind of context file that can't be sent."""
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "latin.py").write_bytes("# café\nprint('olé')\n".encode("latin-1"))
    (tmp_path / "folder").mkdir()
    (tmp_path / "empty.py").write_text("  \n")
    (tmp_path / "huge.log").write_bytes(b"x" * 5_000_001)
    (tmp_path / "plain.txt").write_text("not a folder")
    (tmp_path / "broken16.txt").write_bytes(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")  # a lone surrogate
    return [
        ("missing", tmp_path / "missing.py", ["missing.py", "not found"]),
        ("binary", tmp_path / "logo.png", ["logo.png", "binary"]),
        ("undecodable", tmp_path / "latin.py", ["latin.py", "not UTF-8", "iconv"]),
        ("folder", tmp_path / "folder", ["folder", "no file in it to send"]),  # an empty one
        ("unreadable", tmp_path / "plain.txt" / "inside.py", ["inside.py", "unreadable", "Not a directory"]),
        ("empty", tmp_path / "empty.py", ["empty.py", "empty"]),
        ("too large", tmp_path / "huge.log", ["huge.log", "larger than 5 MB"]),
        ("bad utf-16", tmp_path / "broken16.txt", ["broken16.txt", "UTF-16"]),
    ]


def ledger_rows():
    return Ledger(Store(db_path(app_home()))).history(10)


def never_embedded():
    cfg = app_home().parent / "never.yaml"
    cfg.write_text("llm:\n  embedded:\n    mode: never\n")
    return str(cfg)


@pytest.mark.parametrize(
    "case",
    range(8),
    ids=["missing", "binary", "undecodable", "folder", "unreadable", "empty", "too large", "bad utf-16"],
)
def test_ask_refuses_a_bad_context_file_before_any_request(lmstudio, tmp_path, case):
    name, path, words = bad_files(tmp_path)[case]
    good = tmp_path / "good.py"
    good.write_text("def add(a, b):\n    return a + b\n")
    r = run_cli(
        "--config",
        never_embedded(),
        "--base-url",
        lmstudio.base_url,
        "ask",
        "Explain this code",
        "--context",
        str(good),
        "--context",
        str(path),
    )
    assert r.returncode == 2, (name, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("devsynth-tui: context file ", "devsynth-tui: context folder ")), (
        r.stderr
    )
    assert all(w in lines[0] for w in words), lines[0]
    assert str(good) not in lines[0]  # only the file at fault is named
    assert r.stdout == "" and "Traceback" not in r.stderr
    assert lmstudio.requests == []  # not even the model list: refused before connecting
    assert ledger_rows() == []


def test_optimize_refuses_too_and_several_bad_files_are_named_in_one_line(lmstudio, tmp_path):
    cases = bad_files(tmp_path)
    r = run_cli(
        "--config",
        never_embedded(),
        "--base-url",
        lmstudio.base_url,
        "optimize",
        "Explain",
        "--context",
        str(cases[0][1]),
        "--context",
        str(cases[1][1]),
    )
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "2 context files can't be used" in r.stderr and "missing.py: file not found" in r.stderr
    assert "logo.png: a binary file" in r.stderr
    assert lmstudio.requests == [] and ledger_rows() == []


def test_text_in_known_encodings_is_read(tmp_path):
    utf16 = tmp_path / "utf16.py"
    utf16.write_bytes(codecs.BOM_UTF16_LE + "def f():\n    return 'é'\n".encode("utf-16-le"))
    bom8 = tmp_path / "bom8.md"
    bom8.write_bytes(codecs.BOM_UTF8 + b"# Title\n")
    items = load_files([str(utf16), str(bom8)])
    assert [i.text for i in items] == ["def f():\n    return 'é'\n", "# Title\n"]
    assert [i.type for i in items] == ["code", "documentation"]


def test_a_permission_error_names_the_file(tmp_path, monkeypatch):
    import builtins

    locked = tmp_path / "secret.py"
    locked.write_text("x = 1\n")
    real_open = builtins.open

    def refusing_open(file, *args, **kwargs):  # the tests run as root, for whom chmod 000 changes nothing
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    with pytest.raises(ContextError) as refused:
        load_files([str(locked)])
    assert str(refused.value) == f"context file {locked}: unreadable (Permission denied)"


def test_an_unprintable_file_name_stays_on_one_line(tmp_path):
    with pytest.raises(ContextError) as refused:
        load_files([str(tmp_path / "two\nlines.py")])
    assert "\n" not in str(refused.value) and "two\\nlines.py" in str(refused.value)


def test_config_check_covers_the_whole_stack_and_names_the_layer_at_fault(app_home, tmp_path):
    from devsynth_tui.config import load, overrides_path

    mine = tmp_path / "mine.yaml"
    mine.write_text("llm:\n  top_k: 5\n")
    overrides_path().write_text("# saved by the dashboard\nllm:\n  temperature: 9\n  top_k: 7\n")
    cfg = load()  # a bad saved value is reported and left out; the rest of the file still applies
    assert cfg.get("llm.temperature") == 0.2 and cfg.get("llm.top_k") == 7
    [warning] = cfg.warnings
    assert f"{overrides_path()} line 3" in warning and "llm.temperature" in warning and "got 9.0; ignored" in warning

    overrides_path().write_text("llm:\n  temperature: 0.5\n")
    r = run_cli("config", "check", str(mine), env={"LM_STUDIO_ENDPOINT": "localhost:1234"})
    assert r.returncode == 2 and r.stderr.startswith("devsynth-tui: the environment is at fault: LM_STUDIO_ENDPOINT: ")

    r = run_cli("config", "check", str(mine), env={"DEVSYNTH_TUI_API_KEY": "k\u00e9y"})  # the key not shown back
    assert r.returncode == 2 and r.stderr.startswith("devsynth-tui: the environment is at fault: DEVSYNTH_TUI_API_KEY")
    assert "non-ASCII" in r.stderr and "k\u00e9y" not in r.stderr

    r = run_cli("config", "check", str(mine), env={"DEVSYNTH_TUI_BASE_URL": "http://127.0.0.1:1234"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"ok: the effective config is valid (defaults < {mine} < {overrides_path()} < environment)",
        "  defaults: every key",
        f"  {mine}: llm.top_k",
        f"  {overrides_path()} (the dashboard's saved changes): llm.temperature",
        "  environment: llm.base_url",
    ]

    mine.write_text("llm:\n  top_k: -1\n")
    r = run_cli("config", "check", str(mine))
    assert r.returncode == 2 and r.stderr.startswith(
        f"devsynth-tui: your config file is at fault: {mine} line 2: llm.top_k"
    )


def test_config_check_names_a_theme_the_dashboard_could_not_use(app_home, tmp_path):
    mine, theme = tmp_path / "mine.yaml", tmp_path / "mine-theme.yaml"
    mine.write_text("llm:\n  top_k: 5\nui:\n  theme: nosuchtheme\n")
    r = run_cli("config", "check", str(mine))
    assert r.returncode == 2 and r.stderr == (
        f"devsynth-tui: your config file is at fault: {mine} line 4: ui.theme: no such theme 'nosuchtheme': use dark,"
        " light, high-contrast, a Textual theme such as nord, or a theme .yaml path\n"
    )
    theme.write_text("name: mine\n")
    mine.write_text(f"ui:\n  theme: {theme}\n")
    r = run_cli("config", "check", str(mine))
    assert r.returncode == 2 and r.stderr.startswith(f"devsynth-tui: your config file is at fault: {mine} line 2: ")
    assert f"ui.theme: {theme}: a theme needs at least `name` and `primary`" in r.stderr
    mine.write_text('ui:\n  theme: "/gone/\\e[2J\\e]0;x\\a.yaml"\n')  # a file name is shown, never obeyed
    r = run_cli("config", "check", str(mine))
    assert r.returncode == 2 and "cannot read theme" in r.stderr and "\x1b" not in r.stderr and "\x07" not in r.stderr
    theme.write_text("name: mine\nprimary: notacolor\n")  # the dashboard died of it at start
    mine.write_text(f"ui:\n  theme: {theme}\n")
    r = run_cli("config", "check", str(mine))
    assert r.returncode == 2 and f"ui.theme: {theme}: primary: 'notacolor' is not a colour" in r.stderr
    theme.write_text("name: mine\nprimary: '#ff8800'\n")
    for good in ("light", "nord", str(theme)):
        mine.write_text(f"ui:\n  theme: {good}\n")
        r = run_cli("config", "check", str(mine))
        assert r.returncode == 0 and r.stdout.startswith("ok: the effective config is valid"), r.stderr
