"""Reading import files (CSV or JSON Lines) into documents, one record at a time.

Reading streams: a record is read, mapped and handed on before the next is read, so memory does
not grow with the file. A record that cannot be mapped is not fatal: it comes out with its
error (line, field, message) for the rejects file. What makes the whole file unusable (a missing
file, an unknown column) raises :class:`InputError` before any record is read.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from contacthub.cli.csvmap import (
    REJECT_COLUMNS,
    Column,
    MappingError,
    apply_map,
    build_document,
    parse_header,
    strip_read_only,
)

Format = Literal["csv", "jsonl"]
Entity = Literal["customers", "events"]

# Rows of exported CSV may hold large JSON cells (lists of educations, event products).
csv.field_size_limit(16 * 1024 * 1024)


class InputError(Exception):
    """The input as a whole cannot be imported; the message names the file (and line, field)."""


@dataclass
class Record:
    """One record of the input: where it starts, what it said, and its document or its error."""

    line: int
    raw: list[str] | str
    document: dict[str, Any] | None = None
    field: str | None = None
    error: str | None = None


def detect_format(path: str | os.PathLike[str], given: str | None) -> Format:
    """The input's format: ``given`` when set, else from the file extension."""
    if given:
        if given not in ("csv", "jsonl"):
            raise InputError(f"unknown format {given!r}: use csv or jsonl")
        return given  # type: ignore[return-value]
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InputError(
        f"{path}: cannot tell the format from the extension {suffix or '(none)'!r}; "
        "name it .csv or .jsonl, or pass --format csv|jsonl"
    )


def open_input(path: str | os.PathLike[str]) -> TextIO:
    """Open an input file for reading text, with a clear error when that is impossible."""
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte order mark. surrogateescape: a
        # byte that is not UTF-8 spoils only its row (reported with its line), not the file.
        return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


def line_ending(path: str | os.PathLike[str]) -> str:
    """How the file ends its lines: ``"\\r\\n"`` when its first line does, else ``"\\n"``."""
    with open(path, "rb") as stream:
        head = stream.read(1 << 16)
    end = head.find(b"\n")
    return "\r\n" if end > 0 and head[end - 1 : end] == b"\r" else "\n"


class CsvReader:
    """Records of a CSV file with a header of dotted field names."""

    def __init__(
        self,
        stream: TextIO,
        name: str,
        entity: Entity,
        separator: str,
        mapping: Mapping[str, str] | None = None,
    ) -> None:
        self._stream = stream
        self._name = name
        self._separator = separator
        self._reader = csv.reader(stream)
        try:
            self.header = next(self._reader)
        except StopIteration:
            raise InputError(
                f"{name}: the file is empty (a CSV import needs a header line)"
            ) from None
        except csv.Error as exc:
            raise InputError(f"{name}, line 1: {exc}") from None
        problem = _bad_byte(",".join(self.header))
        if problem:
            raise InputError(f"{name}, line 1: {problem}")
        try:
            fields = apply_map(self.header, mapping) if mapping else self.header
            self.columns: list[Column] = parse_header(fields, entity)
        except MappingError as exc:
            raise InputError(f"{name}, line 1, column {exc.field!r}: {exc.message}") from None
        self._entity = entity

    def __iter__(self) -> Iterator[Record]:
        width = len(self.columns)
        line = self._reader.line_num + 1
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(line, [], error=f"malformed CSV: {exc}")
                line = self._reader.line_num + 1
                continue
            start, line = line, self._reader.line_num + 1
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            problem = _bad_byte("".join(cells))
            if problem:
                yield Record(start, cells, error=problem)
                continue
            if len(cells) != width:
                yield Record(
                    start,
                    cells,
                    error=f"the row has {len(cells)} fields but the header has {width}",
                )
                continue
            try:
                document = build_document(self.columns, cells, self._separator)
            except MappingError as exc:
                yield Record(start, cells, field=exc.field, error=exc.message)
                continue
            yield Record(start, cells, document=strip_read_only(document, self._entity))


class JsonLinesReader:
    """Records of a JSON Lines file: one JSON object per line, blank lines skipped."""

    header: list[str] | None = None

    def __init__(
        self, stream: TextIO, name: str, entity: Entity, mapping: Mapping[str, str] | None = None
    ) -> None:
        self._stream = stream
        self._name = name
        self._entity = entity
        # `--map KEY=PATH`: a top-level key moved to a dotted path (a `:type` suffix is for CSV).
        self._mapping = {
            key: tuple(path.partition(":")[0].split(".")) for key, path in (mapping or {}).items()
        }

    def __iter__(self) -> Iterator[Record]:
        for number, text in enumerate(self._stream, start=1):
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            problem = _bad_byte(text)
            if problem:
                yield Record(number, text, error=problem)
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Record(
                    number,
                    text,
                    error=f"invalid JSON: {exc.msg} at column {exc.colno}",
                )
                continue
            if not isinstance(value, dict):
                yield Record(
                    number, text, error=f"expected a JSON object, got {type(value).__name__}"
                )
                continue
            for key, path in self._mapping.items():
                if key in value:
                    _put(value, path, value.pop(key))
            yield Record(number, text, document=strip_read_only(value, self._entity))


def _put(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        inner = document.get(part)
        if not isinstance(inner, dict):
            inner = document[part] = {}
        document = inner
    document[path[-1]] = value


def _bad_byte(text: str) -> str | None:
    """Why ``text`` is not UTF-8, or None: undecodable bytes were kept as lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"not UTF-8 text (byte {ord(text[exc.start]) - 0xDC00:#04x}); save the file as UTF-8"
    return None


def reader_for(
    stream: TextIO,
    name: str,
    fmt: Format,
    entity: Entity,
    separator: str,
    mapping: Mapping[str, str] | None = None,
) -> CsvReader | JsonLinesReader:
    """The reader for ``fmt``; reading a CSV header may raise :class:`InputError`.

    ``mapping`` (``--map``): input column or key → the dotted path it holds.
    """
    if fmt == "csv":
        return CsvReader(stream, name, entity, separator, mapping)
    return JsonLinesReader(stream, name, entity, mapping)


def count_records(path: str | os.PathLike[str], fmt: Format) -> int:
    """How many records the file holds (for progress): non-blank lines, or CSV rows."""
    with open_input(path) as stream:
        try:
            if fmt == "jsonl":
                return sum(1 for line in stream if line.strip())
            count = -1  # the header
            for cells in csv.reader(stream):
                if cells and not (len(cells) == 1 and not cells[0].strip()):
                    count += 1
        except csv.Error:
            # The import reports the bad row itself, with its line; this is only for progress.
            return 0
        return max(count, 0)


def reject_header(header: list[str] | None) -> list[str]:
    """The header of a CSV rejects file: the reason columns, then the input's own columns."""
    own = [name for name in header or [] if name not in REJECT_COLUMNS]
    return [*REJECT_COLUMNS, *own]
