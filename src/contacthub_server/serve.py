"""``contacthub serve``: run the hub in the foreground until SIGINT or SIGTERM.

On its first start against a new database (and without ``--config`` tokens or explicit
credentials) it creates a workspace, a node and a token, keeps them in the database, prints them
with the base URL, and writes them to an INI file that ``Workspace.from_ini_file`` reads. Later
starts on the same database reuse them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType

import uvicorn
from sqlalchemy.engine import make_url
from uvicorn.supervisors import Multiprocess

from contacthub_server.admin import snapshot
from contacthub_server.app import HubApp, create_app
from contacthub_server.connections import uvicorn_options
from contacthub_server.service.validation import ValidationFailed
from contacthub_server.settings import (
    DEFAULT_DATABASE,
    DEFAULT_INI,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_PORT,
    DEFAULT_REQUEST_LOG_SIZE,
    MAX_INDEX_DELAY_MS,
    ConfigError,
    Credentials,
    HubSettings,
    load_config,
)
from contacthub_server.store import Store
from contacthub_server.store.store import normalize_url

log = logging.getLogger("contacthub_server")

EXIT_USAGE = 2


class _GracefulServer(uvicorn.Server):
    """uvicorn, stopping cleanly on SIGINT or SIGTERM and then returning (exit status 0).

    Plain uvicorn re-raises the signal after its graceful shutdown, which would kill the process
    before the store is closed.
    """

    on_started: Callable[[], bool] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_started is not None and not self.on_started():
            self.should_exit = True

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl-C: stop waiting for requests in flight
        self.should_exit = True


def build_parser(prog: str = "contacthub serve") -> argparse.ArgumentParser:
    """The command line of ``contacthub serve``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a local, durable ContactHub-compatible hub.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on ({DEFAULT_PORT})"
    )
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        help=f"SQLite file path or SQLAlchemy URL, e.g. postgresql://… ({DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--config", metavar="TOML", help="workspaces, tokens, nodes and node settings to create"
    )
    parser.add_argument("--workspace-id", help="make sure this workspace exists and use it")
    parser.add_argument("--node-id", help="make sure this node exists and use it")
    parser.add_argument("--token", help="make sure this token exists and use it")
    parser.add_argument(
        "--ini",
        default=DEFAULT_INI,
        help=f"where to write the credentials for Workspace.from_ini_file ({DEFAULT_INI})",
    )
    parser.add_argument("--no-ini", action="store_true", help="do not write the INI file")
    parser.add_argument(
        "--admin-key",
        default=os.environ.get("CONTACTHUB_ADMIN_KEY"),
        help="the admin API's key (env CONTACTHUB_ADMIN_KEY; default: kept in the database)",
    )
    parser.add_argument("--import", dest="import_dir", metavar="DIR", help="load a snapshot")
    parser.add_argument(
        "--export-on-exit", metavar="DIR", help="write a snapshot to DIR on a clean stop"
    )
    parser.add_argument(
        "--latency-ms", type=_non_negative_int, default=0, help="delay every answer (0)"
    )
    parser.add_argument(
        "--fault-rate",
        type=_fraction,
        default=0.0,
        help="fraction of requests that fail on purpose: 503 or 429 with Retry-After, or a "
        "connection dropped before or after processing (0)",
    )
    parser.add_argument("--fault-seed", type=int, help="seed of the fault draw, for repeatability")
    parser.add_argument(
        "--index-delay-ms",
        type=_index_delay,
        default=0,
        metavar="N",
        help="as the hosted API, which indexes writes asynchronously: a write is readable by id "
        "at once but reaches customer lists, queries, externalId look-ups and event listings "
        "only N ms later; a node's indexDelayMs setting overrides it (0: at once)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"largest request body accepted ({DEFAULT_MAX_BODY_BYTES})",
    )
    parser.add_argument(
        "--request-log-size",
        type=_non_negative_int,
        default=DEFAULT_REQUEST_LOG_SIZE,
        metavar="N",
        help="requests kept by the request log (GET /_hub/requests), per process; 0 = off "
        f"({DEFAULT_REQUEST_LOG_SIZE})",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="hub processes sharing the port and the database; more than 1 needs PostgreSQL (1)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="log level (info)",
    )
    return parser


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _index_delay(text: str) -> int:
    value = _non_negative_int(text)
    if value > MAX_INDEX_DELAY_MS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_INDEX_DELAY_MS}, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


#: The environment variable that hands a worker process its settings (JSON of `HubSettings`).
WORKER_SETTINGS_ENV = "CONTACTHUB_WORKER_SETTINGS"


def worker_app() -> HubApp:
    """The app of one worker process of ``contacthub serve --workers N`` (a uvicorn factory).

    The parent process has already created the tables, applied ``--config`` and chosen the
    credentials; every worker opens its own connections to the same PostgreSQL database, which
    enforces every uniqueness rule across the processes.
    """
    settings = HubSettings(**json.loads(os.environ[WORKER_SETTINGS_ENV]))
    return create_app(settings)


def _run_workers(args: argparse.Namespace, settings: HubSettings, sock: socket.socket) -> int:
    """Serve with ``args.workers`` processes on the bound socket (uvicorn's supervisor)."""
    worker_settings = dataclasses.replace(settings, config_path=None)  # applied by the parent
    os.environ[WORKER_SETTINGS_ENV] = json.dumps(dataclasses.asdict(worker_settings))
    config = uvicorn.Config(
        "contacthub_server.serve:worker_app",
        factory=True,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.log_level == "debug",
        lifespan="off",
        timeout_graceful_shutdown=10,
        **uvicorn_options(),
    )
    sock.set_inheritable(True)  # the worker processes serve this very socket
    Multiprocess(config, sockets=[sock]).run()
    return 0


def write_ini(path: str | Path, credentials: Credentials, base_url: str) -> None:
    """Write the credentials in the SDK guide's INI format (no section header), node added."""
    Path(path).write_text(
        f"workspace_id = {credentials.workspace_id}\n"
        f"token = {credentials.token}\n"
        f"base_url = {base_url}\n"
        f"node_id = {credentials.node_id}\n",
        encoding="utf-8",
    )


def choose_credentials(app: HubApp, args: argparse.Namespace) -> Credentials:
    """The credentials to announce: the explicit ones, else the configuration's, else defaults.

    Explicit ``--workspace-id/--node-id/--token`` are created if missing (a missing one of the
    three is taken from the database's defaults or made up). Without them, the first workspace of
    ``--config`` with a token and a node is used; otherwise the database's first credentials,
    created on the very first start.
    """
    registry = app.registry
    if args.workspace_id or args.node_id or args.token:
        known = registry.default_credentials()
        same_ws = known is not None and args.workspace_id in (None, known.workspace_id)
        return registry.provision(
            args.workspace_id or (known.workspace_id if known else None),
            args.node_id or (known.node_id if known and same_ws else None),
            args.token or (known.token if known and same_ws else None),
        )
    if args.config:
        for ws in load_config(args.config):
            if ws.tokens and ws.nodes:
                return Credentials(ws.workspace_id, next(iter(ws.nodes)), ws.tokens[0])
    known = registry.default_credentials()
    if known is not None:
        return known
    return registry.provision()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``contacthub serve`` with ``argv`` (default: ``sys.argv[1:]``); the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s"
    )
    settings = HubSettings(
        database_url=args.database,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        fault_seed=args.fault_seed,
        max_body_bytes=args.max_body_bytes,
        index_delay_ms=args.index_delay_ms,
        config_path=args.config,
        admin_key=args.admin_key,
        request_log_size=args.request_log_size,
    )
    if args.workers > 1 and not normalize_url(args.database).startswith("postgresql"):
        # SQLite's writers queue and share commits inside one process (store/group.py); several
        # processes would contend on the file lock instead, so the hub refuses rather than
        # silently serving slower than one process.
        print(
            "contacthub serve: error: --workers above 1 needs a PostgreSQL --database",
            file=sys.stderr,
        )
        return EXIT_USAGE
    shown_db = mask_password(args.database)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))  # first: a failed start changes nothing
    except OSError as exc:
        sock.close()
        print(f"contacthub serve: error: cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        return _serve(args, settings, sock, shown_db)
    finally:
        sock.close()


def mask_password(url: str) -> str:
    """``url`` with its password replaced by ``***`` (plain paths are returned as they are)."""
    if "://" not in url:
        return url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy parses: hide everything after the scheme
        return url.split("://", 1)[0] + "://***"


def _serve(
    args: argparse.Namespace, settings: HubSettings, sock: socket.socket, shown_db: str
) -> int:
    if args.import_dir:
        try:
            store = Store.connect(args.database)
        except Exception as exc:
            print(f"contacthub serve: error: cannot open {shown_db!r}: {_masked(exc, args)}",
                  file=sys.stderr)  # fmt: skip
            return 1
        try:
            snapshot.import_snapshot(store, args.import_dir)
        except snapshot.SnapshotError as exc:
            print(f"contacthub serve: error: --import: {exc}", file=sys.stderr)
            return EXIT_USAGE
        finally:
            store.close()
    try:
        app = create_app(settings)
    except ConfigError as exc:
        print(f"contacthub serve: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a database that cannot be opened: say which, no traceback
        print(f"contacthub serve: error: cannot open {shown_db!r}: {_masked(exc, args)}",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        try:
            credentials = choose_credentials(app, args)
        except (ValueError, ValidationFailed) as exc:
            print(f"contacthub serve: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        port = sock.getsockname()[1]
        host = f"[{args.host}]" if ":" in args.host else args.host
        root = f"http://{host}:{port}"
        base_url = f"{root}/hub/v1"
        failed: list[int] = []

        def started() -> bool:
            if not args.no_ini:
                try:
                    write_ini(args.ini, credentials, base_url)
                except OSError as exc:
                    print(f"contacthub serve: error: cannot write {args.ini!r}: {exc}",
                          file=sys.stderr)  # fmt: skip
                    failed.append(EXIT_USAGE)
                    return False
            print(_banner(args, app, credentials, root, shown_db), flush=True)
            if args.host not in ("127.0.0.1", "localhost", "::1"):
                print(f"warning: listening on {args.host}: anyone who can reach this port can "
                      "use the workspace tokens", file=sys.stderr)  # fmt: skip
            return True

        if args.workers > 1:
            if not started():
                return failed[0]
            app.close()  # the workers open their own connections
            return _run_workers(args, settings, sock)
        config = uvicorn.Config(
            app,
            log_level=args.log_level,
            access_log=args.log_level == "debug",
            lifespan="off",
            timeout_graceful_shutdown=10,
            **uvicorn_options(),
        )
        server = _GracefulServer(config)
        server.on_started = started
        server.run(sockets=[sock])  # SIGINT/SIGTERM: stops accepting, finishes requests in flight
        if failed:
            return failed[0]
        if not server.started:
            return 1
        if args.export_on_exit:
            try:
                app.admin.export_snapshot(args.export_on_exit)
            except (snapshot.SnapshotError, OSError) as exc:
                print(f"contacthub serve: error: --export-on-exit: {exc}", file=sys.stderr)
                return 1
        return 0
    finally:
        app.close()


def _masked(exc: Exception, args: argparse.Namespace) -> str:
    text = str(exc)
    if "://" in args.database:
        try:
            password = make_url(args.database).password
        except Exception:
            password = None
        if password:
            text = text.replace(str(password), "***")
    return text


def _banner(
    args: argparse.Namespace, app: HubApp, credentials: Credentials, root: str, shown_db: str
) -> str:
    key_line = (
        f"  admin_key    = {app.admin_key}   (new: shown once, keep it)\n"
        if app.admin_key_created
        else "  admin_key    = (kept in the database; --admin-key sets another)\n"
    )
    ini = "not written (--no-ini)" if args.no_ini else f"credentials written to {args.ini}"
    return (
        "ContactHub hub\n"
        f"  base_url     = {root}/hub/v1\n"
        f"  workspace_id = {credentials.workspace_id}\n"
        f"  node_id      = {credentials.node_id}\n"
        f"  token        = {credentials.token}\n"
        f"{key_line}"
        f"  database     = {shown_db}\n"
        f"  workers      = {args.workers}\n"
        f"  {ini}\n"
        f"  openapi      = {root}/hub/v1/openapi.json\n"
        f"  admin API    = {root}/_hub/   (Authorization: Bearer <admin_key>)\n"
        f"  console      = {root}/\n"
        'Next: python -c "from contacthub import Workspace; '
        "print(Workspace.from_ini_file('contacthub.ini').get_node().get_customers())\""
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
