"""The one place where the error tree (``graph/errors.py``) becomes what a person at the
terminal sees: a one-line message on standard error, close matches where there are some, and
the exit code. No traceback for anything the user can fix."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from graph.errors import NotFound, S3GraphError

err_console = Console(stderr=True)

EXIT_ERROR = 1  # any error of the tree: the message says what to do
EXIT_AMBIGUOUS = 2  # the input matched several things; the candidates are printed


def report(exc: S3GraphError) -> int:
    """Prints the error for a person and returns the exit code."""
    if isinstance(exc, NotFound):
        err_console.print(f"[red]Not found:[/red] {escape(str(exc))}")
        if exc.suggestions:
            err_console.print("Did you mean: " + escape(", ".join(exc.suggestions)))
        return EXIT_ERROR
    err_console.print(f"[red]Error:[/red] {escape(str(exc))}")
    return EXIT_ERROR
