import pkgutil
import subprocess
import sys

import devsynth_tui.cli
import devsynth_tui.services

# Every module of the service layer, its subpackages (llm, context, store, ...) included.
SERVICES = [m.name for m in pkgutil.walk_packages(devsynth_tui.services.__path__, "devsynth_tui.services.")]
# Every module of the command line, one per command group (the dashboard's imports Textual only when it runs).
CLI = [m.name for m in pkgutil.walk_packages(devsynth_tui.cli.__path__, "devsynth_tui.cli.")]


def test_the_service_layer_is_grouped_in_subpackages():
    assert {"devsynth_tui.services.llm.client", "devsynth_tui.services.store.ledger"} <= set(SERVICES)


def test_the_cli_is_one_module_per_command_group():
    assert {"devsynth_tui.cli.parser", "devsynth_tui.cli.tokens", "devsynth_tui.cli.ask"} <= set(CLI)


def test_services_and_headless_cli_never_import_textual():
    imports = "; ".join(f"import {m}" for m in SERVICES + CLI)
    code = (
        f"import sys; {imports}; "
        "bad = [m for m in sys.modules if m.startswith(('textual', 'devsynth_tui.ui'))]; print(bad); assert not bad"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_help_path_imports_nothing_heavy():
    heavy = ("httpx", "yaml", "tiktoken", "psutil", "textual")
    code = (
        f"import sys; from devsynth_tui.cli import build_parser; build_parser(); "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr
