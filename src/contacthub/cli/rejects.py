"""The rejects file of an import: every failed row, with why, in the input's format."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from contacthub.bulk import (
    BulkOutcome,
)
from contacthub.cli.csvmap import (
    REJECT_COLUMNS,
)
from contacthub.cli.exits import (
    CliError,
)
from contacthub.cli.records import (
    reject_header,
)

if TYPE_CHECKING:
    pass


def _pointer_to_field(pointer: Any) -> str:
    text = str(pointer or "")
    return ".".join(part for part in text.strip("/").split("/") if part) or text


class RejectsWriter:
    """Writes every failed row, with why, in the input's format.

    CSV: the columns ``_line,_status,_field,_error`` then the input's own columns; JSON Lines:
    the original object with those four keys added. An import ignores these columns, so the
    rejects file can be fixed and imported as it is.
    """

    def __init__(self, path: Path, fmt: str, header: list[str] | None) -> None:
        self.path = path
        self.count = 0
        self._fmt = fmt
        try:
            # surrogateescape: a row that was not UTF-8 is written back with its own bytes.
            self._stream: TextIO = open(  # noqa: SIM115
                path, "w", encoding="utf-8", errors="surrogateescape", newline=""
            )
        except OSError as exc:
            raise CliError(f"{path}: cannot write the rejects file ({exc.strerror})") from None
        # Positions of the input's own columns (a rejects file imported again has ours too).
        self._width = len(header or [])
        self._keep = [i for i, name in enumerate(header or []) if name not in REJECT_COLUMNS]
        if fmt == "csv":
            self._csv = csv.writer(self._stream)
            self._csv.writerow(reject_header(header))

    def write(self, line: int, raw: list[str] | str, status: str, field: str, error: str) -> None:
        """Write one failed row."""
        self.count += 1
        if self._fmt == "csv":
            cells = raw if isinstance(raw, list) else [raw]
            # Cells beyond the header (a row with too many fields) are kept, so nothing is lost.
            own = [cells[i] for i in self._keep if i < len(cells)] + cells[self._width :]
            self._csv.writerow([line, status, field, error, *own])
        else:
            original: Any = None
            if isinstance(raw, str):
                try:
                    original = json.loads(raw)
                except json.JSONDecodeError:
                    original = None
            entry: dict[str, Any] = {
                "_line": line,
                "_status": status,
                "_field": field,
                "_error": error,
            }
            if isinstance(original, dict):
                entry.update({k: v for k, v in original.items() if k not in REJECT_COLUMNS})
            else:
                entry["_raw"] = raw
            self._stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Close the file; remove it when nothing was rejected."""
        self._stream.close()
        if self.count == 0:
            self.path.unlink(missing_ok=True)


def describe_failure(outcome: BulkOutcome) -> tuple[str, str, str]:
    """The ``(status, field, message)`` of a failed outcome, for the rejects file."""
    status = str(outcome.status_code) if outcome.status_code is not None else "no answer"
    fields: list[str] = []
    details: list[str] = []
    for item in outcome.errors:
        if isinstance(item, dict):
            name = _pointer_to_field(item.get("path"))
            if name:
                fields.append(name)
            details.append(f"{name}: {item.get('message')}" if name else str(item.get("message")))
    message = outcome.message or "failed"
    # The hub's message often repeats its per-field errors already; add only what it lacks.
    missing = [d for d in details if d.rpartition(": ")[2] not in message]
    if missing:
        message += " (" + "; ".join(missing) + ")"
    return status, ", ".join(dict.fromkeys(fields)), message
