"""The resume journal of an import: which records were sent, and which are done.

The journal is a text file appended to as the import runs::

    {"journal": "contacthub-import", "version": 1, "kind": "customers", "input": ..., "size": ...}
    S 12 13 14 15
    D 12 created
    D 14 updated
    S 16=2024-05-01T10:00:00.123+0000 17=2024-05-01T10:00:00.124+0000

``S`` lists records (by the line they start on) about to be sent; ``D`` marks one done. An event
that had no date gets one before it is first sent, written with its line (``16=<date>``), so a
resumed import checks for, and sends, the very same event. ``S`` lines are forced to disk
(fsync) *before* their records are sent, ``D`` lines at the next such sync, so after a crash at
any point:

- a record with a ``D`` line was imported: ``--resume`` skips it;
- a record with an ``S`` line but no ``D`` line may or may not have reached the hub: ``--resume``
  checks before sending it again (see :mod:`contacthub.bulk`), so it is not created twice;
- a record with no line was never sent: ``--resume`` sends it.

Syncing once per batch (not once per record) keeps the cost of durability small.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

JOURNAL_MAGIC = "contacthub-import"
JOURNAL_VERSION = 1


class JournalError(Exception):
    """The journal cannot be used for this import; the message says why and what to do."""


class LineSet:
    """A compact set of line numbers (one bit each), so a journal of millions stays small."""

    def __init__(self) -> None:
        self._bits = bytearray()

    def add(self, line: int) -> None:
        """Add ``line``."""
        byte = line >> 3
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte - len(self._bits) + 1024))
        self._bits[byte] |= 1 << (line & 7)

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int):
            return False
        byte = line >> 3
        return byte < len(self._bits) and bool(self._bits[byte] & (1 << (line & 7)))


def default_journal_path(input_path: str | os.PathLike[str]) -> Path:
    """The journal next to the input: ``customers.csv`` → ``customers.csv.journal``."""
    path = Path(input_path)
    return path.with_name(path.name + ".journal")


def _identity(kind: str, input_path: Path) -> dict[str, Any]:
    stat = input_path.stat()
    return {
        "journal": JOURNAL_MAGIC,
        "version": JOURNAL_VERSION,
        "kind": kind,
        "input": str(input_path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


class Journal:
    """An open journal: what an earlier run did, and a writer for this run."""

    def __init__(
        self,
        path: Path,
        stream: TextIO,
        done: LineSet,
        sent: LineSet,
        stamps: dict[int, str] | None = None,
    ) -> None:
        self.path = path
        self._stream = stream
        #: Dates given to sent-but-not-done events that had none: resend them with these.
        self.stamps = stamps if stamps is not None else {}
        #: Records an earlier run finished: skip them.
        self.done = done
        #: Records an earlier run sent without recording an outcome: check before resending.
        self.sent = sent
        self._dirty = False

    @classmethod
    def open(
        cls, path: Path, kind: str, input_path: Path, *, resume: bool, restart: bool = False
    ) -> Journal:
        """Open the journal for an import of ``input_path``.

        With ``resume``, read what an earlier run recorded (after checking it is the journal of
        this very input) and append to it. Without, start a new journal; an existing one is
        replaced only with ``restart`` (else JournalError naming both options: a second run of
        an import would otherwise send every row again and forget the first run's record).
        """
        identity = _identity(kind, input_path)
        if not resume and not restart and path.exists():
            raise JournalError(cls._earlier_run(path, input_path))
        done, sent = LineSet(), LineSet()
        stamps: dict[int, str] = {}
        if resume and path.exists():
            cls._read(path, identity, done, sent, stamps)
            stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()
        else:
            # A fresh import (or a resume with no journal yet: nothing was sent) starts one.
            stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
            stream.write(json.dumps(identity) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        return cls(path, stream, done, sent, stamps)

    @staticmethod
    def _earlier_run(path: Path, input_path: Path) -> str:
        """Why an import without --resume or --restart stops at an existing journal."""
        try:
            with open(path, encoding="utf-8") as stream:
                header = json.loads(stream.readline())
                if not isinstance(header, dict) or header.get("journal") != JOURNAL_MAGIC:
                    raise ValueError
                rows = sum(1 for text in stream if text.startswith("D "))
        except (ValueError, OSError, UnicodeDecodeError):
            return (
                f"{path} exists and is not a contacthub import journal: remove it, or choose "
                "another place with --journal"
            )
        return (
            f"{input_path} was imported before ({rows} rows done, journal {path}): run with "
            "--resume to continue that import (rows done are skipped), or with --restart to "
            "import every row again"
        )

    @staticmethod
    def _read(
        path: Path,
        identity: dict[str, Any],
        done: LineSet,
        sent: LineSet,
        stamps: dict[int, str],
    ) -> None:
        with open(path, encoding="utf-8") as stream:
            first = stream.readline()
            try:
                header = json.loads(first)
            except json.JSONDecodeError:
                header = None
            if not isinstance(header, dict) or header.get("journal") != JOURNAL_MAGIC:
                raise JournalError(f"{path}: not a contacthub import journal")
            if header.get("kind") != identity["kind"]:
                raise JournalError(
                    f"{path}: this journal is of a {header.get('kind')} import, not {identity['kind']}"
                )
            if header.get("input") != identity["input"]:
                raise JournalError(
                    f"{path}: this journal is of the import of {header.get('input')}, "
                    f"not of {identity['input']}"
                )
            if (header.get("size"), header.get("mtime_ns")) != (
                identity["size"],
                identity["mtime_ns"],
            ):
                raise JournalError(
                    f"{path}: {identity['input']} changed since the interrupted import, so its "
                    "records may no longer be the ones the journal names; import the changed file "
                    "without --resume (or the rejects file, to retry only the failed rows)"
                )
            for text in stream:
                # A crash can leave a torn last line: it lacks its newline and is ignored.
                if not text.endswith("\n"):
                    break
                parts = text.split()
                if not parts:
                    continue
                if parts[0] == "S":
                    for item in parts[1:]:
                        line, _, stamp = item.partition("=")
                        sent.add(int(line))
                        if stamp:
                            stamps[int(line)] = stamp
                elif parts[0] == "D" and len(parts) >= 2:
                    done.add(int(parts[1]))
                    # Only records still in doubt need their date: the map stays small.
                    stamps.pop(int(parts[1]), None)

    def record_sending(self, lines: list[int], stamps: Mapping[int, str] | None = None) -> None:
        """Durably record that these records are about to be sent (and earlier outcomes).

        ``stamps`` maps lines to the date an event was given because it had none.
        """
        if lines:
            stamps = stamps or {}
            items = (f"{line}={stamps[line]}" if line in stamps else str(line) for line in lines)
            self._stream.write("S " + " ".join(items) + "\n")
            self._dirty = True
        self.sync()

    def record_done(self, line: int, status: str) -> None:
        """Record a finished record; it reaches the disk at the next :meth:`sync`."""
        self._stream.write(f"D {line} {status}\n")
        self._dirty = True

    def sync(self) -> None:
        """Force what was written to disk."""
        if self._dirty:
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._dirty = False

    def close(self) -> None:
        """Sync and close."""
        self.sync()
        self._stream.close()
