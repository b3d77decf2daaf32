"""Themes: YAML files of Textual Theme fields (the bundled ones, see ``shipped.themes_dir``), or a user's own file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from devsynth_tui.shipped import themes_dir

if TYPE_CHECKING:
    from textual.theme import Theme

COLOURS = (  # a Theme's colour fields
    *("primary", "secondary", "warning", "error", "success", "accent"),
    *("foreground", "background", "surface", "panel", "boost"),
)
SHORT_NAMES = {"dark": "devsynth-dark", "light": "devsynth-light", "high-contrast": "devsynth-high-contrast"}


class ThemeError(Exception):
    """A theme file that can't be used; the message names the file and the problem."""


def load_theme(path: Path):
    """A Textual Theme from a YAML file."""
    import yaml
    from textual.theme import Theme

    from devsynth_tui.config import safe_yaml_loader

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=safe_yaml_loader())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ThemeError(f"{path}: cannot read theme ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict) or "name" not in data or "primary" not in data:
        raise ThemeError(f"{path}: a theme needs at least `name` and `primary` (see {themes_dir() / 'dark.yaml'})")
    if problem := _field_problem(data):
        raise ThemeError(f"{path}: {problem} (see {themes_dir() / 'dark.yaml'})")
    try:
        theme = Theme(**data)
        theme.to_color_system().generate()  # each shade made now: what Textual would fail on is said, not a crash
    except TypeError as e:
        raise ThemeError(f"{path}: {e}; allowed fields are those of {themes_dir() / 'dark.yaml'}") from None
    return theme


def _field_problem(data: dict) -> str | None:
    """What is wrong with a theme's fields before Textual reads them (what it would crash on), or None."""
    from textual.color import Color, ColorParseError

    name = data["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_-][A-Za-z0-9_-]*", name):
        return f"name: {name!r} is not a name; use letters, digits, - and _ (e.g. my-theme)"
    colours = {field: data[field] for field in COLOURS if data.get(field) is not None or field == "primary"}
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        return f"variables: {variables!r} is not a mapping of names to colours"
    colours |= {f"variables.{key}": value for key, value in variables.items()}
    for field, value in colours.items():
        try:
            Color.parse(value if isinstance(value, str) else "")
        except ColorParseError:
            return f"{field}: {value!r} is not a colour; write one as '#ff8800' or a CSS colour name"
    if data.get("ansi"):
        return "ansi: themes of the terminal's own colours are not supported here"
    for field in ("luminosity_spread", "text_alpha"):
        if field in data and (isinstance(data[field], bool) or not isinstance(data[field], int | float)):
            return f"{field}: {data[field]!r} is not a number"
    return None


def bundled_themes(only: str | None = None) -> list:
    """The bundled themes; with ``only`` (a short name such as dark), just that one, if it is bundled."""
    if only is not None:
        path = themes_dir() / f"{only}.yaml"
        return [load_theme(path)] if only in SHORT_NAMES and path.is_file() else []
    return [load_theme(p) for p in sorted(themes_dir().glob("*.yaml"))]


def no_such_theme(name: str) -> str:
    """The one line for a ``ui.theme`` that names no theme."""
    use = "dark, light, high-contrast, a Textual theme such as nord, or a theme .yaml path"
    return f"no such theme {name!r}: use {use}"


def theme_problem(name: str) -> str | None:
    """Why ``ui.theme`` names no theme the dashboard can use, or None (Textual's theme list is imported only for a
    name that is neither bundled nor a file)."""
    try:
        textual_name, theme = resolve(name)
    except ThemeError as e:
        return str(e)
    if name in SHORT_NAMES or theme is not None:
        return None
    from textual.theme import BUILTIN_THEMES

    return None if textual_name in BUILTIN_THEMES else no_such_theme(name)


def resolve(name: str) -> tuple[str, Theme | None]:
    """(Textual theme name, a Theme to register first or None) for ``ui.theme``."""
    if name in SHORT_NAMES:
        return SHORT_NAMES[name], None
    path = Path(name).expanduser()
    if path.suffix in (".yaml", ".yml"):
        theme = load_theme(path)
        return theme.name, theme
    return name, None  # a built-in Textual theme name, e.g. "nord"
