"""Exceptions of the command line: each maps to an exit code and one line on stderr."""
from __future__ import annotations

import difflib
import re


class CLIError(Exception):
    """A runtime failure (exit code 1)."""

    exit_code = 1


class UsageError(CLIError):
    """Bad input: a command line, an experiment file, a data file (exit code 2)."""

    exit_code = 2


def suggest(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the nearest valid choice, or an empty string."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def one_line(msg) -> str:
    """Collapse a message onto one line."""
    text = re.sub(r"np\.(?:float|int)\d+\(([^()]*)\)", r"\1", str(msg))
    return " ".join(text.split())
