"""``python -m contacthub_server serve [options]``: the same as ``contacthub serve``."""

from __future__ import annotations

import sys

from contacthub_server.serve import main

USAGE = "usage: python -m contacthub_server serve [options]   (serve --help for the options)"


def run(argv: list[str]) -> int:
    """Dispatch the one command, ``serve``."""
    if not argv or argv[0] != "serve":
        print(USAGE, file=sys.stderr)
        return 2
    return main(argv[1:])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
