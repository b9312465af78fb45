"""``contacthub customers get|query``: quick looks at a few customers, as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from contacthub.cli.credentials import (
    connect,
    resolve_credentials,
)
from contacthub.cli.exits import (
    EXIT_FAILED_ROWS,
    EXIT_OK,
    CliError,
)
from contacthub.cli.exporting import parse_query
from contacthub.errors import APIError

if TYPE_CHECKING:
    pass


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
            documents = node.export_customers(parse_query(args.query))
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
