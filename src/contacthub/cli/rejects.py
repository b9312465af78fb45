"""The rejects file of an import: every failed row, with why, in the input's format."""

from __future__ import annotations

import csv
import heapq
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
from contacthub.errors import APIError

if TYPE_CHECKING:
    from contacthub.node import Node


def _pointer_to_field(pointer: Any) -> str:
    text = str(pointer or "")
    return ".".join(part for part in text.strip("/").split("/") if part) or text


def _escaped(text: str) -> str:
    """``text`` as valid UTF-8: bytes of the input that were not UTF-8 become ``\\xNN``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


class RejectsWriter:
    """Writes every failed row, with why, in the input's format, in the order of the input.

    CSV: the columns ``_line,_status,_field,_error`` then the input's own columns; JSON Lines:
    the original object with those four keys added. An import ignores these columns, so the
    rejects file can be fixed and imported as it is. The file is valid UTF-8 (bytes of the input
    that were not are written as ``\\xNN``) and ends its lines as the input does (``newline``).
    Rows arrive in completion order; :meth:`release` writes those before a line (the importer
    passes the first line still in flight), so the file is ordered by line with little held.
    """

    def __init__(self, path: Path, fmt: str, header: list[str] | None, newline: str = "\n") -> None:
        self.path = path
        self.count = 0
        self._fmt = fmt
        self._newline = newline
        self._held: list[tuple[int, int, list[Any] | str]] = []  # a heap by line
        try:
            self._stream: TextIO = open(  # noqa: SIM115
                path, "w", encoding="utf-8", newline=""
            )
        except OSError as exc:
            raise CliError(f"{path}: cannot write the rejects file ({exc.strerror})") from None
        # Positions of the input's own columns (a rejects file imported again has ours too).
        self._width = len(header or [])
        self._keep = [i for i, name in enumerate(header or []) if name not in REJECT_COLUMNS]
        if fmt == "csv":
            self._csv = csv.writer(self._stream, lineterminator=newline)
            self._csv.writerow([_escaped(name) for name in reject_header(header)])

    def write(self, line: int, raw: list[str] | str, status: str, field: str, error: str) -> None:
        """Hold one failed row until :meth:`release` (or :meth:`close`) writes it."""
        self.count += 1
        if self._fmt == "csv":
            cells = raw if isinstance(raw, list) else [raw]
            # Cells beyond the header (a row with too many fields) are kept, so nothing is lost.
            own = [cells[i] for i in self._keep if i < len(cells)] + cells[self._width :]
            row: list[Any] | str = [line, status, field, error, *own]
        else:
            row = self._json_entry(line, raw, status, field, error)
        heapq.heappush(self._held, (line, self.count, row))

    def _json_entry(
        self, line: int, raw: list[str] | str, status: str, field: str, error: str
    ) -> str:
        original: Any = None
        if isinstance(raw, str) and _escaped(raw) == raw:  # a line that is not UTF-8 stays raw
            try:
                original = json.loads(raw)
            except json.JSONDecodeError:
                original = None
        entry: dict[str, Any] = {"_line": line, "_status": status, "_field": field, "_error": error}
        if isinstance(original, dict):
            entry.update({k: v for k, v in original.items() if k not in REJECT_COLUMNS})
        else:
            entry["_raw"] = _escaped(raw if isinstance(raw, str) else ",".join(raw))
        return json.dumps(entry, ensure_ascii=False)

    def release(self, before: int | None = None) -> None:
        """Write the held rows whose line is before ``before`` (every one when None)."""
        wrote = False
        while self._held and (before is None or self._held[0][0] < before):
            _, _, row = heapq.heappop(self._held)
            if isinstance(row, str):
                self._stream.write(row + self._newline)
            else:
                self._csv.writerow([_escaped(str(cell)) for cell in row])
            wrote = True
        if wrote:
            self._stream.flush()

    def close(self) -> None:
        """Write what is held and close the file; remove it when nothing was rejected."""
        self.release()
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


#: Fields a matching policy usually names, in the order a 409's ``_field`` looks at them.
_MATCHING_FIELDS = (
    "base.contacts.email",
    "externalId",
    "base.contacts.mobilePhone",
    "base.contacts.phone",
)


def _at(document: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(document, dict):
            return None
        document = document.get(part)
    return document


def conflicting_field(node: Node, existing_id: str, sent: dict[str, Any]) -> str:
    """Which field of the row a 409 matched: those the row shares with the existing customer.

    The API's 409 names the customer, not the field, so the existing customer is read once and
    compared on the usual matching fields (emails without regard to case). "" when none is
    shared (a matching policy on other fields) or the customer cannot be read.
    """
    try:
        existing = node.workspace.transport.request(
            "GET", f"/customers/{node.workspace.transport.quote(existing_id)}"
        )
    except APIError:
        return ""
    shared = []
    for name in _MATCHING_FIELDS:
        mine, theirs = _at(sent, name), _at(existing, name)
        if isinstance(mine, str) and isinstance(theirs, str) and mine and theirs:
            same = (
                mine.casefold() == theirs.casefold() if name.endswith("email") else mine == theirs
            )
            if same:
                shared.append(name)
    return ", ".join(shared)
