"""Exceptions of the command line: each maps to an exit code and one line on stderr."""
from __future__ import annotations

import difflib
import re


class CLIError(Exception):
    """A runtime failure (exit code 1).

    Examples
    --------
    >>> from fastdescent.cli import CLIError, UsageError
    >>> CLIError.exit_code, issubclass(UsageError, CLIError)
    (1, True)
    """

    exit_code = 1


class UsageError(CLIError):
    """Bad input: a command line, an experiment file, a data file (exit code 2).

    Examples
    --------
    A missing experiment file is bad input:

    >>> from fastdescent.cli import UsageError, main
    >>> from fastdescent.cli.experiment import load_file
    >>> UsageError.exit_code, main(["run", "no_such_experiment.toml"])
    (2, 2)
    >>> load_file("no_such_experiment.toml")
    Traceback (most recent call last):
        ...
    fastdescent.cli.errors.UsageError: cannot read experiment file 'no_such_experiment.toml': No such file or directory
    """

    exit_code = 2


def suggest(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the nearest valid choice, or an empty string."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def one_line(msg) -> str:
    """Collapse a message onto one line."""
    text = re.sub(r"np\.(?:float|int)\d+\(([^()]*)\)", r"\1", str(msg))
    return " ".join(text.split())
