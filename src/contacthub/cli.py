"""The ``contacthub`` command: run the local hub, import and export customers and events.

::

    contacthub serve [--port 8080 ...]             run the local hub (needs contacthub[server])
    contacthub customers import FILE [...]         CSV or JSON Lines, concurrently, resumable
    contacthub customers export [--query JSON]     JSON Lines or CSV, page by page
    contacthub customers get ID
    contacthub customers query --email E | --external-id X | --query JSON
    contacthub events import FILE [...]
    contacthub events export [--customer-id ID ...]

Credentials come from flags (``--workspace-id``, ``--token``, ``--base-url``, ``--node-id``),
else the ``CONTACTHUB_*`` environment variables, else an INI file (``--config``, or
``contacthub.ini`` in the current directory: the file ``contacthub serve`` writes).

Exit codes: 0 success; 1 some rows failed to import (or a lookup failed); 2 bad usage, input or
configuration (nothing was imported); 130 interrupted (``--resume`` continues).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO

from contacthub._csvmap import (
    REJECT_COLUMNS,
    HeaderTypes,
    MappingError,
    event_shorthands,
    flatten,
)
from contacthub._journal import Journal, JournalError, default_journal_path
from contacthub._progress import Progress
from contacthub._records import (
    Entity,
    Format,
    InputError,
    Record,
    count_records,
    detect_format,
    open_input,
    reader_for,
    reject_header,
)
from contacthub.bulk import (
    DEFAULT_CONCURRENCY,
    BulkItem,
    BulkOutcome,
    PagedExport,
    format_instant,
)
from contacthub.errors import APIConnectionError, APIError

if TYPE_CHECKING:
    from contacthub.node import Node
    from contacthub.workspace import Workspace

DEFAULT_BASE_URL = "https://api.contactlab.it/hub/v1"
DEFAULT_INI = "contacthub.ini"

EXIT_OK = 0
EXIT_FAILED_ROWS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A problem the user can fix (usage, input, configuration): printed, exit code 2."""


# ----------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class Credentials:
    """Where to connect and as whom, once flags, environment and INI file are merged."""

    workspace_id: str
    token: str
    base_url: str
    node_id: str


def _read_ini(path: Path) -> dict[str, str]:
    from contacthub.workspace import _parse_ini  # the SDK's reading of the guide's INI format

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such configuration file") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read the configuration file ({exc})") from None
    try:
        return _parse_ini(text, str(path))
    except ValueError as exc:
        raise CliError(str(exc)) from None


def resolve_credentials(
    args: argparse.Namespace, environ: dict[str, str] | os._Environ[str] | None = None
) -> Credentials:
    """Merge flags over ``CONTACTHUB_*`` variables over the INI file; say what is missing."""
    env = os.environ if environ is None else environ
    ini: dict[str, str] = {}
    source = "INI file"
    if args.config:
        ini = _read_ini(Path(args.config))
        source = args.config
    elif Path(DEFAULT_INI).is_file():
        ini = _read_ini(Path(DEFAULT_INI))
        source = DEFAULT_INI
    values: dict[str, str] = {}
    missing: list[str] = []
    for key, flag in (
        ("workspace_id", "--workspace-id"),
        ("token", "--token"),
        ("base_url", "--base-url"),
        ("node_id", "--node-id"),
    ):
        value = getattr(args, key, None) or env.get(f"CONTACTHUB_{key.upper()}") or ini.get(key)
        if not value and key == "base_url":
            value = DEFAULT_BASE_URL
        if not value:
            missing.append(
                f"{key} (pass {flag}, set CONTACTHUB_{key.upper()} or put '{key} = ...' in "
                f"{source if ini else 'an INI file given with --config'})"
            )
        else:
            values[key] = value.strip()
    if missing:
        raise CliError("missing " + "; ".join(missing))
    return Credentials(**values)


def connect(credentials: Credentials, concurrency: int = 1) -> tuple[Workspace, Node]:
    """Open the workspace and node, and check they answer (so bad credentials fail fast).

    The connection pool is made at least as large as ``concurrency``, so that every request in
    flight keeps its connection open between requests.
    """
    from contacthub._http import DEFAULT_POOL_SIZE
    from contacthub.workspace import Workspace

    try:
        workspace = Workspace(
            credentials.workspace_id,
            credentials.token,
            credentials.base_url,
            pool_size=max(DEFAULT_POOL_SIZE, concurrency),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    node = workspace.get_node(credentials.node_id)
    try:
        workspace.transport.request(
            "GET", "/customers", params={"nodeId": credentials.node_id, "size": 1}
        )
    except APIConnectionError as exc:
        workspace.close()
        raise CliError(
            f"cannot reach ContactHub at {credentials.base_url}: {exc.message}"
        ) from None
    except APIError as exc:
        workspace.close()
        raise CliError(
            f"ContactHub refused node {credentials.node_id} of workspace "
            f"{credentials.workspace_id} at {credentials.base_url}: {exc.status_code} {exc.message}"
        ) from None
    return workspace, node


# ----------------------------------------------------------------------------- rejects


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


# ----------------------------------------------------------------------------- import


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
    if args.concurrency < 1:
        raise CliError(f"--concurrency must be at least 1, not {args.concurrency}")
    for option, other in (("--rejects", args.rejects), ("--journal", args.journal)):
        if other and Path(other).resolve() == path.resolve():
            raise CliError(f"{option} {other} is the input file itself: choose another file")
    stream = open_input(path)
    with stream:
        reader = reader_for(stream, str(path), fmt, entity, args.list_separator)
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
                journal = Journal.open(journal_path, entity, path, resume=args.resume)
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


def _check_rows(
    args: argparse.Namespace, entity: Entity, fmt: Format, path: Path, reader: Any
) -> int:
    """``import --check``: read and map every row, report the bad ones, send nothing."""
    rejects = RejectsWriter(Path(args.rejects), fmt, reader.header) if args.rejects else None
    rows = bad = 0
    for record in reader:
        rows += 1
        if record.document is not None and entity == "events":
            try:
                event_shorthands(record.document, "node")
            except MappingError as exc:
                record.document, record.field, record.error = None, exc.field, exc.message
        if record.document is not None:
            continue
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
    rejects = RejectsWriter(Path(args.rejects), fmt, reader.header) if args.rejects else None
    total = count_records(path, fmt)
    skipped = 0
    local_failures: list[tuple[int, str, str]] = []
    in_flight: dict[int, list[str] | str] = {}
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
            in_flight[record.line] = record.raw
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
            raw = in_flight.pop(outcome.key, "")
            stamps.pop(outcome.key, None)
            if outcome.ok:
                journal.record_done(outcome.key, outcome.status)
                progress.advance()
                continue
            failed_remote += 1
            status, field, message = describe_failure(outcome)
            reject(Record(outcome.key, raw), status, field, message)
            progress.advance(failed=1)
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
        print(f"all {summary.created + summary.updated + skipped} rows imported")
        return EXIT_OK
    return EXIT_FAILED_ROWS


# ----------------------------------------------------------------------------- export


def _output_format(output: str | None, given: str | None) -> Literal["csv", "jsonl"]:
    if given:
        return given  # type: ignore[return-value]
    if output and Path(output).suffix.lower() == ".csv":
        return "csv"
    return "jsonl"


def _open_output(output: str | None) -> tuple[IO[str], bool]:
    if not output or output == "-":
        return sys.stdout, False
    try:
        return open(output, "w", encoding="utf-8", newline=""), True
    except OSError as exc:
        raise CliError(f"{output}: cannot write the export ({exc.strerror})") from None


def write_export(
    documents: PagedExport,
    target: IO[str],
    entity: Entity,
    fmt: Literal["csv", "jsonl"],
    separator: str,
    progress: Progress,
) -> int:
    """Write documents as JSON Lines or CSV; return how many.

    CSV needs every column in its header before the first row, and documents differ in the
    columns they have (``extended`` fields, lists), so rows are spooled flat to a temporary file
    while the header is collected, then written: memory stays flat, disk holds one copy.
    """
    count = 0
    if fmt == "jsonl":
        for document in documents:
            if progress.total is None and documents.total is not None:
                progress.set_total(documents.total)
            target.write(json.dumps(document, ensure_ascii=False) + "\n")
            count += 1
            progress.advance()
        return count
    columns: dict[str, None] = {}
    types = HeaderTypes(entity)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for document in documents:
            if progress.total is None and documents.total is not None:
                progress.set_total(documents.total)
            row = flatten(document, separator)
            types.observe(document)
            columns.update(dict.fromkeys(row))
            spool.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
            progress.advance()
        spool.seek(0)
        names = list(columns)
        writer = csv.writer(target)
        writer.writerow([types.header(name) for name in names])
        for text in spool:
            row = json.loads(text)
            writer.writerow([row.get(name, "") for name in names])
    return count


def _parse_query(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        query = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"--query is not valid JSON: {exc.msg} at character {exc.pos + 1}") from None
    if not isinstance(query, dict):
        raise CliError("--query must be a JSON object (a ContactHub query document)")
    if "query" not in query and query.get("type") in ("simple", "combined"):
        # Accept the inner query and add the wrapper the API expects.
        query = {"name": "query", "query": query}
    return query


def run_export(args: argparse.Namespace, entity: Entity) -> int:
    """``contacthub customers|events export``."""
    fmt = _output_format(args.output, args.format)
    query = _parse_query(args.query)
    credentials = resolve_credentials(args)
    workspace, node = connect(credentials)
    target, owned = _open_output(args.output)
    try:
        if entity == "customers":
            documents = node.export_customers(query)
        else:
            documents = node.export_events(
                args.customer_id or None,
                query=query,
                event_type=args.type or None,
                context=args.context or None,
                date_from=args.date_from,
                date_to=args.date_to,
            )
        progress = Progress(f"{entity} export", None, enabled=not args.quiet and owned)
        with progress:
            count = write_export(documents, target, entity, fmt, args.list_separator, progress)
    except APIError as exc:
        raise CliError(f"export failed: {exc.status_code} {exc.message}") from None
    finally:
        if owned:
            target.close()
        workspace.close()
    if owned:
        print(f"{entity} export: {count} written to {args.output}")
    return EXIT_OK


# ----------------------------------------------------------------------------- quick looks


def run_get(args: argparse.Namespace) -> int:
    """``contacthub customers get ID``: print the customer as JSON."""
    workspace, _ = connect(resolve_credentials(args))
    try:
        customer = workspace.transport.request(
            "GET", f"/customers/{workspace.transport.quote(args.id)}"
        )
    except APIError as exc:
        print(f"contacthub: {exc.status_code} {exc.message}", file=sys.stderr)
        return EXIT_FAILED_ROWS
    finally:
        workspace.close()
    print(json.dumps(customer, indent=2, ensure_ascii=False))
    return EXIT_OK


def run_query(args: argparse.Namespace) -> int:
    """``contacthub customers query``: print the matching customers as a JSON array."""
    given = [name for name in ("query", "email", "external_id") if getattr(args, name)]
    if len(given) != 1:
        raise CliError("give exactly one of --query, --email, --external-id")
    if args.limit < 1:
        raise CliError(f"--limit must be at least 1, not {args.limit}")
    workspace, node = connect(resolve_credentials(args))
    found: list[dict[str, Any]] = []
    try:
        if args.email:
            from contacthub.models.query.query import equals_query

            documents = node.export_customers(equals_query("base.contacts.email", args.email))
        elif args.external_id:
            documents = node.export_customers(external_id=args.external_id)
        else:
            documents = node.export_customers(_parse_query(args.query))
        for document in documents:
            found.append(document)
            if len(found) >= args.limit:
                break
    except APIError as exc:
        print(f"contacthub: {exc.status_code} {exc.message}", file=sys.stderr)
        return EXIT_FAILED_ROWS
    finally:
        workspace.close()
    print(json.dumps(found, indent=2, ensure_ascii=False))
    return EXIT_OK


# ----------------------------------------------------------------------------- serve


def run_serve(argv: Sequence[str]) -> int:
    """``contacthub serve ...``: hand over to the hub's own command line."""
    try:
        from contacthub_server.serve import main as serve_main  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        print(
            "contacthub serve needs the local hub, which is not installed "
            f"(missing module {exc.name!r}): pip install 'contacthub[server]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    result = serve_main(list(argv))
    return int(result or 0)


# ----------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with code 2 and a one-line hint."""

    def error(self, message: str) -> Any:  # argparse's own signature returns NoReturn
        self.print_usage(sys.stderr)
        where = self.prog.removeprefix("contacthub").strip()
        raise CliError(f"{where}: {message}" if where else message)


def _credential_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("credentials (else CONTACTHUB_* variables, else INI file)")
    group.add_argument("--workspace-id", help="the workspace id")
    group.add_argument("--token", help="the API token")
    group.add_argument("--base-url", help=f"the API base URL (default {DEFAULT_BASE_URL})")
    group.add_argument("--node-id", help="the node to work on")
    group.add_argument(
        "--config",
        metavar="INI",
        help=f"an INI file with workspace_id, token, base_url, node_id (default ./{DEFAULT_INI})",
    )


def _import_parser(sub: Any, entity: Entity) -> None:
    parser = sub.add_parser(
        "import",
        help=f"import {entity} from a CSV or JSON Lines file",
        description=(
            f"Import {entity} concurrently from FILE (.csv or .jsonl). CSV headers are dotted "
            "field paths (base.contacts.email); list columns are split on --list-separator; "
            "a header may force a type: extended.age:int, extended.vip:bool, extended.x:json."
        ),
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--format", choices=("csv", "jsonl"), help="default: from the extension")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help="requests in flight (default %(default)s)",
    )
    parser.add_argument("--rejects", metavar="FILE", help="write every failed row and why to FILE")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted import")
    parser.add_argument("--journal", metavar="FILE", help="resume journal (default FILE.journal)")
    parser.add_argument(
        "--list-separator", default="|", help="separator of list cells (default %(default)s)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only read and map every row, reporting bad ones; send nothing (no credentials needed)",
    )
    if entity == "customers":
        parser.add_argument(
            "--force-update",
            action="store_true",
            help="update a customer that already exists (matching email) instead of failing",
        )
    _credential_options(parser)
    parser.set_defaults(handler=lambda args: run_import(args, entity))


def _export_parser(sub: Any, entity: Entity) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        "export", help=f"export {entity} as JSON Lines or CSV"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
    parser.add_argument(
        "--format", choices=("csv", "jsonl"), help="default: from --output, else jsonl"
    )
    parser.add_argument("--query", metavar="JSON", help="only customers matching this query")
    parser.add_argument(
        "--list-separator", default="|", help="joins list cells in CSV (default %(default)s)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    _credential_options(parser)
    parser.set_defaults(handler=lambda args: run_export(args, entity))
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``contacthub`` command (``serve`` is the hub's own)."""
    parser = _Parser(
        prog="contacthub",
        description="ContactHub from the command line: a local hub, bulk import and export.",
        epilog="Exit codes: 0 ok, 1 some rows failed, 2 bad usage/input/configuration, 130 interrupted.",
    )
    from contacthub._version import __version__

    parser.add_argument("--version", action="version", version=f"contacthub {__version__}")
    entities = parser.add_subparsers(dest="entity", metavar="COMMAND", parser_class=_Parser)
    entities.required = True
    entities.add_parser(
        "serve", help="run the local ContactHub-compatible hub (contacthub serve --help)"
    )

    customers = entities.add_parser("customers", help="import, export, get and query customers")
    verbs = customers.add_subparsers(dest="verb", metavar="ACTION", parser_class=_Parser)
    verbs.required = True
    _import_parser(verbs, "customers")
    _export_parser(verbs, "customers")
    get = verbs.add_parser("get", help="print one customer as JSON")
    get.add_argument("id", metavar="ID")
    _credential_options(get)
    get.set_defaults(handler=run_get)
    query = verbs.add_parser("query", help="print the customers matching a query as JSON")
    query.add_argument("--query", metavar="JSON", help="a ContactHub query document")
    query.add_argument("--email", help="customers with this base.contacts.email")
    query.add_argument("--external-id", help="customers with this externalId")
    query.add_argument(
        "--limit", type=int, default=50, help="at most this many (default %(default)s)"
    )
    _credential_options(query)
    query.set_defaults(handler=run_query)

    events = entities.add_parser("events", help="import and export events")
    verbs = events.add_subparsers(dest="verb", metavar="ACTION", parser_class=_Parser)
    verbs.required = True
    _import_parser(verbs, "events")
    export = _export_parser(verbs, "events")
    export.add_argument(
        "--customer-id", action="append", metavar="ID", help="events of this customer (repeatable)"
    )
    export.add_argument("--type", action="append", help="only this event type (repeatable)")
    export.add_argument("--context", action="append", help="only this context (repeatable)")
    export.add_argument("--date-from", help="only events from this date-time")
    export.add_argument("--date-to", help="only events up to this date-time")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``contacthub`` command with ``argv`` (default: the process's arguments)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "serve":
        return run_serve(args_list[1:])
    try:
        args = build_parser().parse_args(args_list)
        code: int = args.handler(args)
        return code
    except (CliError, InputError) as exc:
        print(f"contacthub: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("contacthub: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `contacthub customers export | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
    except APIError as exc:
        print(f"contacthub: {exc.status_code or 'no answer'} {exc.message}", file=sys.stderr)
        return EXIT_FAILED_ROWS
    except Exception as exc:
        if os.environ.get("CONTACTHUB_DEBUG"):
            raise
        print(
            f"contacthub: unexpected error: {type(exc).__name__}: {exc} "
            "(set CONTACTHUB_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":  # python -m contacthub.cli
    sys.exit(main())
