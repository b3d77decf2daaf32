import pkgutil
import subprocess
import sys

import devsynth_tui.services

SERVICES = [m.name for m in pkgutil.iter_modules(devsynth_tui.services.__path__)]


def test_services_and_headless_cli_never_import_textual():
    imports = "; ".join(f"import devsynth_tui.services.{m}" for m in SERVICES)
    code = (
        f"import sys, devsynth_tui.cli; {imports}; "
        "bad = [m for m in sys.modules if m.startswith(('textual', 'devsynth_tui.ui'))]; print(bad); assert not bad"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_help_path_imports_nothing_heavy():
    heavy = ("httpx", "yaml", "tiktoken", "psutil", "textual")
    code = (
        f"import sys; from devsynth_tui.cli import _parser; _parser(); "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr
