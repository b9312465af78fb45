"""Exit codes of the ``contacthub`` command and the error a user can fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


EXIT_OK = 0
EXIT_FAILED_ROWS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # an unexpected error: a bug of the command (EX_SOFTWARE)
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A problem the user can fix (usage, input, configuration): printed, exit code 2."""
