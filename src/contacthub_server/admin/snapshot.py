"""Snapshots and resets, written generically over every table of `store.tables.metadata`.

A snapshot is a directory: ``manifest.json`` (format, schema version, workspace scope, the tables
with their row counts) and one ``<table>.jsonl`` per table, a JSON object per row with every
column, values as stored (ids, dates as epoch millis, autoincrement keys and documents kept).
Tables are written and read in dependency order (`metadata.sorted_tables`) and streamed in
batches, so memory stays flat whatever the size. A table added to `metadata` is included without
changing this module; `info={"snapshot": False}` leaves one out (the hub's own settings) and
`info={"owner": (table, column)}` scopes a table without a `ws` column (see `store.tables`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, func, insert, select, text
from sqlalchemy.sql.elements import ColumnElement

from contacthub_server.store import Store
from contacthub_server.store.keys import with_index_keys
from contacthub_server.store.tables import SCHEMA_VERSION, metadata

FORMAT = "contacthub-snapshot"
FORMAT_VERSION = 1
#: Rows per batch read or inserted: bounds memory whatever the table's size.
BATCH_ROWS = 2000


class SnapshotError(ValueError):
    """A snapshot that cannot be written or loaded; the message says which file and line."""


def snapshot_tables() -> list[Table]:
    """Every table a snapshot holds, in dependency order."""
    return [table for table in metadata.sorted_tables if table.info.get("snapshot", True)]


def _scope(table: Table, ws: str | None) -> ColumnElement[bool] | None:
    """The condition selecting the rows of workspace ``ws`` in ``table`` (None: every row)."""
    if ws is None:
        return None
    if "ws" in table.c:
        return table.c.ws == ws
    owner = table.info.get("owner")
    if owner is None:
        raise SnapshotError(f"table {table.name} has neither a ws column nor an owner")
    owner_table = metadata.tables[owner[0]]
    column = owner[1]
    cond = _scope(owner_table, ws)
    return table.c[column].in_(select(owner_table.c[column]).where(cond))  # type: ignore[arg-type,no-any-return]


def _serial_column(table: Table) -> str | None:
    """The name of the table's autoincrement integer key, if it has one."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and keys[0].autoincrement is True:
        return keys[0].name
    return None


# -- export ---------------------------------------------------------------------------------
def export_snapshot(store: Store, directory: str | Path, ws: str | None = None) -> dict[str, Any]:
    """Write every table (or workspace ``ws`` only) to ``directory``; returns the manifest.

    Written into a temporary directory beside it and moved into place at the end, so that a
    failed export never leaves half a snapshot (an existing snapshot there is replaced).
    """
    target = Path(directory).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=target.parent))
    try:
        manifest = _export_into(store, work, ws)
        if target.exists():
            if not (target / "manifest.json").exists() and any(target.iterdir()):
                raise SnapshotError(f"{target}: not empty and not a snapshot: not replaced")
            shutil.rmtree(target)
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _export_into(store: Store, work: Path, ws: str | None) -> dict[str, Any]:
    tables: list[dict[str, Any]] = []
    with store.tables_read() as conn:
        for table in snapshot_tables():
            query = select(table)
            cond = _scope(table, ws)
            if cond is not None:
                query = query.where(cond)
            query = query.order_by(*table.primary_key.columns)
            names = [str(column.key) for column in table.c]
            rows = 0
            with (work / f"{table.name}.jsonl").open("wb") as out:
                result = conn.execution_options(stream_results=True, yield_per=BATCH_ROWS)
                for batch in result.execute(query).partitions(BATCH_ROWS):
                    out.write(
                        b"".join(
                            orjson.dumps(dict(zip(names, row, strict=True))) + b"\n"
                            for row in batch
                        )
                    )
                    rows += len(batch)
            tables.append({"name": str(table.name), "file": f"{table.name}.jsonl", "rows": rows})
    manifest = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "schemaVersion": SCHEMA_VERSION,
        "workspaceId": ws,
        "tables": tables,
    }
    (work / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


# -- import ---------------------------------------------------------------------------------
def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The checked manifest of the snapshot in ``directory``."""
    path = Path(directory) / "manifest.json"
    try:
        manifest = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file: {directory} is not a snapshot") from None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise SnapshotError(f"{path}: unreadable: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SnapshotError(f"{path}: /format: not a {FORMAT}")
    if manifest.get("formatVersion") != FORMAT_VERSION:
        raise SnapshotError(f"{path}: /formatVersion: unsupported {manifest.get('formatVersion')}")
    version = manifest.get("schemaVersion")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise SnapshotError(
            f"{path}: /schemaVersion: {version} is newer than this hub ({SCHEMA_VERSION})"
        )
    known = {table.name for table in snapshot_tables()}
    for i, entry in enumerate(manifest.get("tables", [])):
        if not isinstance(entry, dict) or entry.get("name") not in known:
            raise SnapshotError(f"{path}: /tables/{i}/name: unknown table {entry!r}")
    return manifest


def _rows(path: Path, table: Table) -> Iterator[list[dict[str, Any]]]:
    columns = set(table.c.keys())
    batch: list[dict[str, Any]] = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise SnapshotError(f"{path}:{number}: not JSON: {exc}") from None
            if not isinstance(row, dict):
                raise SnapshotError(f"{path}:{number}: a row must be a JSON object")
            unknown = set(row) - columns
            if unknown:
                raise SnapshotError(f"{path}:{number}: /{sorted(unknown)[0]}: unknown column")
            # A snapshot of a hub before version 8 has no index keys: derived from the texts.
            batch.append(with_index_keys(str(table.name), row))
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch = []
    if batch:
        yield batch


def is_empty(conn: Connection, ws: str | None = None) -> bool:
    """Whether no snapshot table holds a row (of workspace ``ws``, when given)."""
    for table in snapshot_tables():
        query = select(func.count()).select_from(table)
        cond = _scope(table, ws)
        if cond is not None:
            query = query.where(cond)
        if conn.execute(query.limit(1)).scalar():
            return False
    return True


def import_snapshot(store: Store, directory: str | Path) -> dict[str, int]:
    """Load the snapshot in ``directory``; returns the rows loaded per table.

    A whole-hub snapshot loads into an empty hub only; a workspace's snapshot replaces that
    workspace (its rows are deleted first) and its autoincrement keys are moved past the
    hub's, so they never collide with other workspaces' rows. One transaction: a bad file
    leaves the hub as it was.
    """
    manifest = read_manifest(directory)
    ws = manifest.get("workspaceId")
    loaded: dict[str, int] = {}
    with store.tables_write() as conn:
        shift: dict[str, int] = {}
        if ws is None:
            if not is_empty(conn):
                raise SnapshotError("the hub is not empty: reset it (all) before this import")
        else:
            delete_rows(conn, ws, keep_registry=False)
            shift = _key_shifts(conn, Path(directory), manifest)
        for entry in manifest.get("tables", []):
            table = metadata.tables[entry["name"]]
            remap = _remapped_columns(table, shift)
            count = 0
            for batch in _rows(Path(directory) / entry["file"], table):
                if remap:
                    for row in batch:
                        for column, offset in remap.items():
                            if row.get(column) is not None:
                                row[column] += offset
                try:
                    conn.execute(insert(table), batch)
                except Exception as exc:  # a constraint the rows break: say which table
                    raise SnapshotError(f"{entry['file']}: cannot load: {exc}") from None
                count += len(batch)
            loaded[str(table.name)] = count
        if store.dialect == "postgresql":
            _advance_sequences(conn)
    return loaded


def _key_shifts(conn: Connection, directory: Path, manifest: dict[str, Any]) -> dict[str, int]:
    """table -> offset added to its autoincrement key: past the hub's largest key."""
    shifts: dict[str, int] = {}
    for entry in manifest.get("tables", []):
        table = metadata.tables[entry["name"]]
        column = _serial_column(table)
        if column is None:
            continue
        current = conn.execute(select(func.max(table.c[column]))).scalar() or 0
        smallest = None
        for batch in _rows(directory / entry["file"], table):
            low = min(row[column] for row in batch if row.get(column) is not None)
            smallest = low if smallest is None else min(smallest, low)
        if smallest is not None and smallest <= current:
            shifts[table.name] = current - smallest + 1
    return shifts


def _remapped_columns(table: Table, shifts: dict[str, int]) -> dict[str, int]:
    """column -> offset for this table's rows: its own serial key, or its owner's."""
    remap: dict[str, int] = {}
    column = _serial_column(table)
    if column is not None and table.name in shifts:
        remap[column] = shifts[table.name]
    owner = table.info.get("owner")
    if owner is not None and owner[0] in shifts:
        remap[owner[1]] = shifts[owner[0]]
    return remap


def _advance_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial column's sequence past the rows loaded with their keys."""
    for table in snapshot_tables():
        column = _serial_column(table)
        if column is None:
            continue
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, :c), "
                f"COALESCE((SELECT MAX({column}) FROM {table.name}), 0) + 1, false)"
            ),
            {"t": table.name, "c": column},
        )  # names from our own metadata, not from input


# -- reset ----------------------------------------------------------------------------------
def delete_rows(conn: Connection, ws: str | None, *, keep_registry: bool) -> dict[str, int]:
    """Delete the rows of workspace ``ws`` (None: every workspace), in reverse dependency order.

    ``keep_registry`` keeps the tables marked ``keep_on_reset`` (workspaces, nodes, tokens), so
    that the credentials in use keep working. Returns the rows deleted per table.
    """
    deleted: dict[str, int] = {}
    ordered = reversed(snapshot_tables())
    # Owned tables go first: their rows are found through their owner's.
    for table in sorted(ordered, key=lambda t: "owner" not in t.info):
        if keep_registry and table.info.get("keep_on_reset"):
            continue
        statement = delete(table)
        cond = _scope(table, ws)
        if cond is not None:
            statement = statement.where(cond)
        deleted[str(table.name)] = conn.execute(statement).rowcount
    return deleted


def reset(store: Store, ws: str | None = None) -> dict[str, int]:
    """Empty workspace ``ws`` (None: every workspace) of its data, keeping its credentials."""
    with store.tables_write() as conn:
        return delete_rows(conn, ws, keep_registry=True)
