"""The root of Tocsin's typed errors: each subpackage derives its own from it."""


class TocsinError(Exception):
    """An error Tocsin reports to its user as one clear line."""
