"""``contacthub updates``: the workspace's change feed as JSON Lines, resumable.

Each line is one change as the API gives it (``{"operation", "entity"}``); the last change of
each page also carries ``"nextOffset"``, the offset to ask from after it. With ``-o FILE`` a page
is written and synced whole, and a later run starts from the last ``nextOffset`` in FILE,
dropping any lines after it (a page cut short by a crash), so that FILE holds every change
exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from contacthub.cli.credentials import connect, resolve_credentials
from contacthub.cli.exits import EXIT_OK, CliError


def resume_point(path: Path) -> int:
    """The last ``nextOffset`` written to ``path`` (0 if none); later lines are cut off."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    end = len(data)
    while end > 0:
        start = data.rfind(b"\n", 0, end - 1) + 1
        line = data[start:end].strip()
        if line:
            try:
                value = json.loads(line)
            except ValueError:
                value = None  # a line cut short
            if isinstance(value, dict) and isinstance(value.get("nextOffset"), int):
                with path.open("r+b") as handle:
                    handle.truncate(end)
                return int(value["nextOffset"])
        end = start
    path.write_bytes(b"")
    return 0


def _write_feed(args: argparse.Namespace, out: IO[str], offset: int, sync: bool) -> None:
    workspace, _node = connect(resolve_credentials(args))
    try:
        feed = workspace.iter_updates(offset=offset, follow=args.follow)
        for update in feed:
            line = dict(update)
            if feed.page_done:
                line["nextOffset"] = feed.offset
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            if feed.page_done:
                out.flush()
                if sync:
                    os.fsync(out.fileno())
    finally:
        workspace.close()


def run_updates(args: argparse.Namespace) -> int:
    """``contacthub updates [--offset N] [--follow] [-o FILE]``."""
    if args.offset is not None and args.offset < 0:
        raise CliError(f"--offset must be 0 or more, not {args.offset}")
    if args.output is None:
        _write_feed(args, sys.stdout, args.offset or 0, sync=False)
        return EXIT_OK
    path = Path(args.output)
    offset = resume_point(path) if args.offset is None else args.offset
    with path.open("a", encoding="utf-8") as out:
        _write_feed(args, out, offset, sync=True)
    return EXIT_OK


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Declare ``contacthub updates``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "updates",
        help="write the change feed as JSON Lines (resumable with -o)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--offset", type=int, help="start after this offset (default: resume)")
    parser.add_argument("--follow", action="store_true", help="keep waiting for new changes")
    parser.add_argument("--output", "-o", metavar="FILE", help="append to FILE (resumable)")
    parser.set_defaults(handler=run_updates)
    return parser
