"""The dashboard's overrides file (app home): its parameter changes, saved by ctrl+s.

Only this file is written; the user's own config file never is. The loader (config.py) reads it as the
layer after the user's file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devsynth_tui.atomic import atomic_write
from devsynth_tui.config import overrides_path, read_overrides
from devsynth_tui.config_schema import ALL_KEYS, get_path, set_path, validate_layer


def render_overrides(values: dict[str, Any]) -> tuple[Path, str, str]:
    """(path, current text, new text) of the overrides file with dotted-path values merged in; writes nothing."""
    import yaml

    path = overrides_path()
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    current = read_overrides(path, []) if path.is_file() else {}
    layer: dict = {}
    for key, value in values.items():
        set_path(layer, key, value)
    new = validate_layer(layer, "dashboard")
    out: dict = {}
    for key in ALL_KEYS:
        for source in (new, current):
            try:
                set_path(out, key, get_path(source, key))
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
