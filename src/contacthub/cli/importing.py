"""``contacthub customers|events import``: rows to documents to a bulk run, journaled."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from contacthub.bulk import (
    BulkItem,
    format_instant,
)
from contacthub.cli.checks import CUSTOMER_RULES, EVENT_RULES, first_problem
from contacthub.cli.credentials import (
    Credentials,
    connect,
    resolve_credentials,
)
from contacthub.cli.csvmap import (
    MappingError,
    event_shorthands,
)
from contacthub.cli.exits import (
    EXIT_FAILED_ROWS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CliError,
)
from contacthub.cli.journal import Journal, JournalError, default_journal_path
from contacthub.cli.progress import Progress
from contacthub.cli.records import (
    Entity,
    Format,
    InputError,
    Record,
    count_records,
    detect_format,
    line_ending,
    open_input,
    reader_for,
)
from contacthub.cli.rejects import RejectsWriter, conflicting_field, describe_failure

if TYPE_CHECKING:
    from contacthub.node import Node


class _Interrupt:
    """Turns SIGINT/SIGTERM into a graceful stop: in-flight rows finish and are journaled."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self.fired = False
        self._stop = stop
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.fired:
            raise KeyboardInterrupt  # a second Ctrl-C: stop waiting
        self.fired = True
        print(
            "\ninterrupted: finishing the rows in flight (Ctrl-C again to stop at once)",
            file=sys.stderr,
            flush=True,
        )
        self._stop()

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def run_import(args: argparse.Namespace, entity: Entity) -> int:
    """``contacthub customers|events import FILE``."""
    path = Path(args.file)
    fmt = detect_format(path, args.format)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if len(args.list_separator) == 0:
        raise CliError("--list-separator must not be empty")
    if args.concurrency is not None and args.concurrency < 1:
        raise CliError(f"--concurrency must be at least 1, not {args.concurrency}")
    for option, other in (("--rejects", args.rejects), ("--journal", args.journal)):
        if other and Path(other).resolve() == path.resolve():
            raise CliError(f"{option} {other} is the input file itself: choose another file")
    mapping = _column_map(args.map)
    stream = open_input(path)
    with stream:
        reader = reader_for(stream, str(path), fmt, entity, args.list_separator, mapping)
        if args.check:
            return _check_rows(args, entity, fmt, path, reader)
        credentials = resolve_credentials(args)
        journal_path = Path(args.journal) if args.journal else default_journal_path(path)
        if args.resume and not journal_path.exists():
            print(
                f"{journal_path}: no journal of an earlier run; importing from the start",
                file=sys.stderr,
            )
        workspace, node = connect(credentials, args.concurrency)
        try:
            try:
                journal = Journal.open(
                    journal_path, entity, path, resume=args.resume, restart=args.restart
                )
            except JournalError as exc:
                raise CliError(str(exc)) from None
            except OSError as exc:
                raise CliError(
                    f"{journal_path}: cannot write the resume journal ({exc.strerror}); "
                    "choose another place with --journal"
                ) from None
            try:
                return _import_rows(args, entity, fmt, path, reader, node, journal, credentials)
            finally:
                journal.close()
        finally:
            workspace.close()


def _column_map(items: list[str]) -> dict[str, str]:
    """``--map COLUMN=PATH`` options as a mapping, refusing malformed or repeated ones."""
    mapping: dict[str, str] = {}
    for item in items:
        column, equals, target = item.rpartition("=")
        column, target = column.strip(), target.strip()
        if not equals or not column or not target:
            raise CliError(
                f"--map {item!r}: write it as COLUMN=PATH, e.g. Email=base.contacts.email"
            )
        if column in mapping:
            raise CliError(f"--map names the column {column!r} twice")
        mapping[column] = target
    return mapping


def _check_rows(
    args: argparse.Namespace, entity: Entity, fmt: Format, path: Path, reader: Any
) -> int:
    """``import --check``: read and map every row, report the bad ones, send nothing.

    Besides what reading checks (columns, types), emails and dates follow the hub's rules.
    """
    rules = CUSTOMER_RULES if entity == "customers" else EVENT_RULES
    rejects = (
        RejectsWriter(Path(args.rejects), fmt, reader.header, line_ending(path))
        if args.rejects
        else None
    )
    rows = bad = 0
    for record in reader:
        rows += 1
        if record.document is not None and entity == "events":
            try:
                event_shorthands(record.document, "node")
            except MappingError as exc:
                record.document, record.field, record.error = None, exc.field, exc.message
        if record.document is not None:
            problem = first_problem(record.document, rules)
            if problem is None:
                continue
            record.field, record.error = problem
        bad += 1
        if rejects is not None:
            rejects.write(record.line, record.raw, "invalid", record.field or "", str(record.error))
        elif bad <= 20:
            where = f", field {record.field}" if record.field else ""
            print(f"  {path}, line {record.line}{where}: {record.error}", file=sys.stderr)
    if rejects is not None:
        rejects.close()
    print(f"checked {path}: {rows} rows, {rows - bad} valid, {bad} invalid (nothing was sent)")
    return EXIT_FAILED_ROWS if bad else EXIT_OK


def _import_rows(
    args: argparse.Namespace,
    entity: Entity,
    fmt: Format,
    path: Path,
    reader: Any,
    node: Node,
    journal: Journal,
    credentials: Credentials,
) -> int:
    rejects = (
        RejectsWriter(Path(args.rejects), fmt, reader.header, line_ending(path))
        if args.rejects
        else None
    )
    total = count_records(path, fmt)
    skipped = 0
    local_failures: list[tuple[int, str, str]] = []
    # Lines sent and not yet done: what they said, and the document sent (for a 409's field).
    in_flight: dict[int, tuple[list[str] | str, dict[str, Any]]] = {}
    stamps: dict[int, str] = {}  # dates given to in-flight events that had none

    def before_send(lines: list[int]) -> None:
        journal.record_sending(lines, stamps)

    def reject(record: Record, status: str, field: str, message: str) -> None:
        if rejects is not None:
            rejects.write(record.line, record.raw, status, field, message)
        elif len(local_failures) < 20:
            local_failures.append((record.line, field, message))

    progress = Progress(f"{entity} import", total, enabled=not args.quiet)

    def items() -> Iterator[BulkItem]:
        nonlocal skipped
        for record in reader:
            if record.line in journal.done:
                skipped += 1
                progress.advance()
                continue
            if record.document is None:
                reject(record, "invalid", record.field or "", record.error or "invalid row")
                progress.advance(failed=1)
                continue
            document = record.document
            if entity == "events":
                try:
                    document = event_shorthands(document, credentials.node_id)
                except MappingError as exc:
                    reject(record, "invalid", exc.field, exc.message)
                    progress.advance(failed=1)
                    continue
                if document.get("date") is None:
                    # The date is journaled with the row, so that a resumed import looks for,
                    # and sends, this very event (its date is part of how it is recognised).
                    stamp = journal.stamps.get(record.line) or format_instant(
                        datetime.now(timezone.utc)
                    )
                    document["date"] = stamps[record.line] = stamp
            in_flight[record.line] = (record.raw, document)
            yield BulkItem(document, key=record.line, recheck=record.line in journal.sent)

    if entity == "customers":
        run = node.bulk_add_customers(
            items(),
            force_update=args.force_update,
            concurrency=args.concurrency,
            before_send=before_send,
        )
    else:
        run = node.bulk_add_events(items(), concurrency=args.concurrency, before_send=before_send)

    failed_remote = 0
    with progress, _Interrupt(run.stop) as interrupt:
        for outcome in run:
            raw, sent = in_flight.pop(outcome.key, ("", {}))
            stamps.pop(outcome.key, None)
            if outcome.ok:
                journal.record_done(outcome.key, outcome.status)
                progress.advance()
            else:
                failed_remote += 1
                status, field, message = describe_failure(outcome)
                if outcome.status_code == 409 and not field and outcome.id:
                    field = conflicting_field(node, outcome.id, sent)
                reject(Record(outcome.key, raw), status, field, message)
                progress.advance(failed=1)
            if rejects is not None:
                rejects.release(min(in_flight) if in_flight else None)
    if rejects is not None:
        rejects.close()

    summary = run.summary
    invalid = progress.failed - failed_remote
    failed = progress.failed
    parts = [
        f"{entity} import of {path}: {summary.created} created",
        f"{summary.updated} updated",
        f"{failed} failed",
    ]
    if summary.present:
        parts.append(f"{summary.present} already present (checked, not sent again)")
    if skipped:
        parts.append(f"{skipped} already imported (skipped)")
    line = ", ".join(parts)
    line += f" in {summary.elapsed:.1f} s ({summary.rate:,.0f}/s)"
    print(line)
    if summary.resolved:
        print(
            f"{summary.resolved} row(s) whose first attempt had an unknown outcome were checked "
            "against the hub (none sent twice)"
        )
    if failed:
        if rejects is not None:
            print(f"failed rows ({invalid} invalid, {failed_remote} refused) are in {rejects.path}")
        else:
            for line_number, field, message in local_failures:
                where = f", field {field}" if field else ""
                print(f"  {path}, line {line_number}{where}: {message}", file=sys.stderr)
            if failed > len(local_failures):
                print(
                    f"  ... and {failed - len(local_failures)} more (use --rejects FILE)",
                    file=sys.stderr,
                )
    if run.abandoned is not None:
        print(
            f"stopped early: {run.abandoned}; {max(total - progress.done, 0)} rows were not "
            f"attempted. Check the connection, then run the same command with --resume "
            f"(journal {journal.path})"
        )
        return EXIT_FAILED_ROWS
    if interrupt.fired:
        print(
            f"interrupted: run the same command with --resume to continue (journal {journal.path})"
        )
        return EXIT_INTERRUPTED
    if not failed:
        imported = summary.created + summary.updated + summary.present + skipped
        print(f"all {imported} rows imported")
        return EXIT_OK
    return EXIT_FAILED_ROWS
