"""The service layer: talks to the LLM server and applies the guide's optimizations.

Never imports Textual or ``devsynth_tui.ui``; usable from the CLI, tests and other programs.
"""
