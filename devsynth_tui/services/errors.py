"""The base of every error the service layer raises for a user to read."""


class ServiceError(Exception):
    """An expected failure; ``str()`` is one line saying what happened and what to do."""
