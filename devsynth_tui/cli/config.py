"""``config``: check, show and print the default configuration; the one line naming a bad layer."""

from __future__ import annotations

import json

from devsynth_tui.cli.common import EXIT_USAGE, load_config


def cmd_config(args) -> int:
    from devsynth_tui.config import redacted

    if args.config_command == "check":
        return _check_config(args)
    if args.config_command == "default":
        from devsynth_tui.shipped import default_config

        print(default_config().read_text(encoding="utf-8"), end="")
        return 0
    cfg = load_config(args)
    data = redacted(cfg.data)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        import yaml

        print(f"# effective config from: {' < '.join(cfg.sources)}")
        print(yaml.safe_dump(data, sort_keys=False).rstrip())
    return 0


def _check_config(args) -> int:
    """The whole effective stack (defaults, your file, the dashboard's overrides, environment, flags), as `ask`
    loads it.

    Every bad key of the config file is reported, one line each (exit 2); any other bad value raises
    ConfigError (main names the layer at fault); a good stack lists what each layer sets.
    """
    import sys

    from devsynth_tui.config import load, overrides_path
    from devsynth_tui.config_schema import ConfigError
    from devsynth_tui.services.sanitize import safe_line

    found: list[ConfigError] = []
    cfg = load(args.path or args.config, base_url=args.base_url, model=args.model, file_problems=found)
    for problem in found:
        print(f"devsynth-tui: {config_fault(problem)}", file=sys.stderr)
    if found:
        return EXIT_USAGE
    if theme := _theme_fault(cfg):
        print(f"devsynth-tui: {safe_line(config_fault(theme))}", file=sys.stderr)
        return EXIT_USAGE
    for warning in cfg.warnings:  # bad keys in the overrides file: ignored when loading, but not ok
        print(f"warning: {safe_line(warning)}")
    verdict = "not ok: keys above are ignored" if cfg.warnings else "ok: the effective config is valid"
    print(f"{verdict} ({' < '.join(cfg.sources)})")
    for source in cfg.sources:
        keys = sorted(k for k, origin in cfg.origins.items() if origin == source)
        label = f"{source} (the dashboard's saved changes)" if source == str(overrides_path()) else source
        print(f"  {label}: {'every key' if source == 'defaults' else ', '.join(keys) or 'sets nothing'}")
    return EXIT_USAGE if cfg.warnings else 0


def _theme_fault(cfg):
    """A ConfigError if ``ui.theme`` names no theme the dashboard can use (it would start in its default)."""
    from devsynth_tui.config import key_line
    from devsynth_tui.config_schema import ConfigError
    from devsynth_tui.ui.themes import theme_problem

    problem = theme_problem(cfg.ui.theme)
    if problem is None:
        return None
    source = cfg.origin("ui.theme")
    return ConfigError(problem, "ui.theme", source, key_line(source, "ui.theme"))


def environment_variable(key: str) -> str:
    """The environment variable a bad value of ``key`` came from (a key "$NAME" names its variable already)."""
    import os

    from devsynth_tui.config import ENV_BASE_URL, ENV_LM_STUDIO, ENV_MODEL

    if key.startswith("$"):
        return key[1:]
    if key == "llm.model":
        return ENV_MODEL
    return ENV_BASE_URL if os.environ.get(ENV_BASE_URL) else ENV_LM_STUDIO


def config_fault(e) -> str:
    """A ConfigError's one line, saying which layer of the stack (see `config check`) is at fault and how to fix it."""
    from devsynth_tui.config import overrides_path

    try:
        overrides = str(overrides_path())
    except OSError:  # an app home that can't be created is reported by whatever needs it
        overrides = None
    if e.source == overrides:
        return (
            f"the dashboard's overrides are at fault: {e}; edit or delete that file (the dashboard writes it on ctrl+s)"
        )
    if e.source == "environment":
        return f"the environment is at fault: {environment_variable(e.key)}: {e.expected}; fix or unset it"
    if e.source == "command line":
        return f"the command line is at fault: {e.key}: {e.expected}"
    if " < " in e.source:  # a rule across keys, checked once the layers are merged
        return f"the layers together are at fault ({e.source}): {e.key}: {e.expected}"
    return f"your config file is at fault: {e}"
