"""``contacthub customers|events export``: documents page by page to JSON Lines or CSV."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from contacthub.bulk import (
    PagedExport,
)
from contacthub.cli.credentials import (
    connect,
    resolve_credentials,
)
from contacthub.cli.csvmap import (
    HeaderTypes,
    export_columns,
    flatten,
)
from contacthub.cli.exits import (
    EXIT_FAILED_ROWS,
    EXIT_OK,
    CliError,
)
from contacthub.cli.progress import Progress
from contacthub.cli.records import (
    Entity,
)
from contacthub.errors import APIError

if TYPE_CHECKING:
    pass


def _output_format(output: str | None, given: str | None) -> Literal["csv", "jsonl"]:
    """``--format``, else the output file's extension (standard output: JSON Lines)."""
    if given:
        return given  # type: ignore[return-value]
    if not output or output == "-":
        return "jsonl"
    suffix = Path(output).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise CliError(
        f"{output}: cannot tell the format from the extension {suffix or '(none)'!r}; "
        "name it .csv or .jsonl, or pass --format csv|jsonl"
    )


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
    free-form fields they have (``extended.*``), so rows are spooled flat to a temporary file
    while those are collected, then written under the schema's layout (`export_columns`):
    memory stays flat, disk holds one copy.
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
        names = export_columns(entity, columns)
        writer = csv.writer(target)
        writer.writerow([types.header(name) for name in names])
        for text in spool:
            row = json.loads(text)
            writer.writerow([row.get(name, "") for name in names])
    return count


def parse_query(text: str | None) -> dict[str, Any] | None:
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
    query = parse_query(args.query)
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
        where = f"; {args.output} is incomplete" if owned else ""
        print(
            f"contacthub: export failed: {exc.status_code or 'no answer'} {exc.message}{where}",
            file=sys.stderr,
        )
        return EXIT_FAILED_ROWS
    finally:
        if owned:
            target.close()
        workspace.close()
    if owned:
        print(f"{entity} export: {count} written to {args.output}")
    return EXIT_OK
