"""Words shown to the user that depend on a number."""


def things(n: int, noun: str) -> str:
    """``n`` with its noun, singular for one: "1 file", "3 files" (a regular plural)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
