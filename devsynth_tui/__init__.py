"""devsynth-tui: a terminal dashboard for coding with a local LLM."""

__version__ = "0.1.0"
