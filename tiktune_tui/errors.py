"""Errors the user can act on. The CLI prints their message as one line."""


class TiktuneError(Exception):
    """A runtime failure with a message meant for the user (exit status 1)."""


class UsageError(TiktuneError):
    """The user asked for something malformed (exit status 2)."""
