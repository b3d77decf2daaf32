"""Files shipped beside the code: the themes and the commented default config.

A source checkout keeps them at its top level (``themes/``, ``config/``); a wheel carries
them inside the package (``devsynth_tui/themes``, ``devsynth_tui/defaults``: see
pyproject.toml). These functions find them in either place.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _shipped(inside: str, checkout: str) -> Path:
    installed = PACKAGE / inside
    return installed if installed.is_dir() else PACKAGE.parent / checkout


def themes_dir() -> Path:
    """The folder of bundled theme files (``*.yaml``)."""
    return _shipped("themes", "themes")


def default_config() -> Path:
    """``default.yaml``: every key with its default and a comment."""
    return _shipped("defaults", "config") / "default.yaml"
