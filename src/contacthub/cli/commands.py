"""The ``contacthub`` command's argument parser and entry point."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from contacthub.bulk import (
    DEFAULT_CONCURRENCY,
)
from contacthub.cli import updates as updates_cli
from contacthub.cli.credentials import (
    DEFAULT_BASE_URL,
    DEFAULT_INI,
)
from contacthub.cli.exits import (
    EXIT_FAILED_ROWS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
)
from contacthub.cli.exporting import run_export
from contacthub.cli.importing import run_import
from contacthub.cli.lookups import run_get, run_query
from contacthub.cli.records import (
    Entity,
    InputError,
)
from contacthub.errors import APIError

if TYPE_CHECKING:
    pass


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
        help="requests in flight (default: adapts to the hub's latency and load, up to 64)",
    )
    parser.add_argument("--rejects", metavar="FILE", help="write every failed row and why to FILE")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="continue an interrupted import")
    again.add_argument(
        "--restart",
        action="store_true",
        help="import every row again, replacing the journal an earlier import left",
    )
    parser.add_argument("--journal", metavar="FILE", help="resume journal (default FILE.journal)")
    parser.add_argument(
        "--list-separator", default="|", help="separator of list cells (default %(default)s)"
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=PATH",
        help="read the input column (or JSON key) COLUMN as the field PATH, e.g. "
        "--map Email=base.contacts.email or --map Points=extended.points:int (repeatable)",
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
        epilog=(
            "Exit codes: 0 ok, 1 some rows failed (or the API failed, or a lookup found nothing), "
            "2 bad usage/input/configuration, 70 internal error, 130 interrupted."
        ),
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
    _credential_options(updates_cli.add_parser(entities))
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
        return EXIT_INTERNAL
