"""The base of every error the service layer raises for a user to read."""


class ServiceError(Exception):
    """An expected failure; ``str()`` is one line saying what happened and what to do."""


def describe(error: Exception) -> str:
    """One line for any failure: a service error's own words, else the exception's type and text."""
    if isinstance(error, ServiceError):
        return str(error)
    text = " ".join(str(error).split())[:200]
    return f"unexpected {type(error).__name__}{': ' + text if text else ''} (please report it)"
