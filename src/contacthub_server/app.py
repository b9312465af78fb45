"""The hub's ASGI application: ``create_app(settings, store=None)``.

Layers, outermost first: the request log (:mod:`contacthub_server.admin.request_log`), fault
injection and latency (:mod:`contacthub_server.api.faults`),
Starlette's own error middleware, CORS (any origin), a catch-all that turns any unexpected
exception into a 500 error envelope, the handlers of expected errors (:class:`HubError`, unknown
routes, wrong methods) and the routes (:mod:`contacthub_server.api.routes`).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import orjson
from sqlalchemy.exc import StatementError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contacthub_server.admin import HubAdmin, ensure_admin_key
from contacthub_server.admin.request_log import RequestLog, RequestRecorder
from contacthub_server.admin.routes import routes as admin_routes
from contacthub_server.api.faults import FaultInjector, Message, Receive, Scope, Send
from contacthub_server.api.responses import error_body, error_response
from contacthub_server.api.routes import HubState, routes
from contacthub_server.console import console_routes
from contacthub_server.service.errors import CustomerConflict, HubError
from contacthub_server.service.faults import FaultSettings, RuntimeFaults
from contacthub_server.service.registry import Registry
from contacthub_server.settings import HubSettings, load_config
from contacthub_server.store import Store

log = logging.getLogger("contacthub_server")


class HubApp:
    """The ASGI application of one hub, with handles on its parts (for the runner and tests)."""

    def __init__(self, settings: HubSettings, store: Store, *, owns_store: bool) -> None:
        self.settings = settings
        self.store = store
        self.registry = Registry(store, index_delay_ms=settings.index_delay_ms)
        # Every write asks the registry for its node's indexing delay (0 unless configured).
        store.index_delay = self.registry.index_delay
        self._owns_store = owns_store
        #: The key that opens the console and the admin API: kept in the database.
        self.admin_key, self.admin_key_created = ensure_admin_key(store, settings.admin_key)
        self.starlette = _starlette_app(console_routes(self.registry, lambda: self.admin_key))
        self.starlette.state.hub = HubState(self.registry, settings.max_body_bytes)
        #: Faults and latency set per workspace at run time (kept in the database).
        self.faults = RuntimeFaults(store)
        #: The last requests of the ContactHub API this process answered.
        self.request_log = RequestLog(settings.request_log_size, settings.request_log_body_bytes)
        self.admin = HubAdmin(
            store,
            self.registry,
            self.admin_key,
            faults=self.faults,
            request_log=self.request_log,
            default_faults=FaultSettings(
                settings.fault_rate, settings.latency_ms, settings.fault_seed
            ),
        )
        self.starlette.state.admin = self.admin
        injector = FaultInjector(
            self.starlette,
            latency_ms=settings.latency_ms,
            fault_rate=settings.fault_rate,
            seed=settings.fault_seed,
            workspaces=self.faults,
        )
        self._asgi: Any = (
            RequestRecorder(injector, self.request_log) if self.request_log.enabled else injector
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI scope."""
        await self._asgi(scope, receive, send)

    def close(self) -> None:
        """Stop the store thread pool, and close the store if this application opened it."""
        self.starlette.state.hub.close()
        if self._owns_store:
            self.store.close()


def create_app(settings: HubSettings, store: Store | None = None) -> HubApp:
    """The hub's ASGI application over ``store`` (opened from ``settings.database_url`` if None).

    When ``settings.config_path`` names a configuration file, its workspaces, tokens and nodes
    are created first (:class:`contacthub_server.settings.ConfigError` if it is wrong).
    """
    owns = store is None
    opened = Store.connect(settings.database_url) if store is None else store
    try:
        app = HubApp(settings, opened, owns_store=owns)
        if settings.config_path:
            app.registry.apply_config(load_config(settings.config_path), settings.config_path)
    except BaseException:
        if owns:
            opened.close()
        raise
    return app


# -- error handling -------------------------------------------------------------------------
async def _hub_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HubError)
    data = exc.data
    if isinstance(exc, CustomerConflict):
        ws = request.path_params.get("workspaceId", "")
        href = f"{str(request.base_url).rstrip('/')}/hub/v1/workspaces/{ws}/customers/"
        data = {"customer": {"id": exc.existing_id, "href": href + exc.existing_id}}
    return error_response(
        exc.status, exc.message, data=data, errors=exc.errors, headers=exc.headers
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, f"Not Found: no such resource {request.url.path}")
    if exc.status_code == 405:
        return error_response(
            405, f"Request method '{request.method}' not supported", headers=exc.headers
        )
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


def _where(scope: Scope) -> tuple[str, str]:
    return scope["method"], scope["path"]


class CatchAll:
    """Answer any unexpected exception with a 500 envelope, logged with its logref."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the application, turning an exception before the answer into a 500."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            # The client went away (or was cut off by a read deadline) before its body was
            # read: nobody is left to answer, and nothing was done.
            log.info("%s %s: the client disconnected before sending its body", *_where(scope))
            return
        except Exception as exc:
            logref = str(uuid.uuid4())
            where = (scope["method"], scope["path"], logref)
            if isinstance(exc, StatementError):
                # Its text holds the SQL statement: log what failed, not the statement.
                log.error(
                    "internal error on %s %s (logref %s): the database refused a statement: %s: %s",
                    *where,
                    type(exc.orig).__name__,
                    exc.orig,
                )
            else:
                log.exception("internal error on %s %s (logref %s)", *where)
            if started:
                raise
            body = orjson.dumps(error_body("internal server error", logref=logref))
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})


def _starlette_app(extra_routes: list[BaseRoute]) -> Starlette:
    app = Starlette(
        routes=[*routes(), *admin_routes(), *extra_routes],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["*"],
                allow_headers=["*"],
                expose_headers=["Retry-After"],
            ),
            Middleware(CatchAll),
        ],
        exception_handlers={HubError: _hub_error, HTTPException: _http_error},
    )
    # Never answer a 307 to "the same path with(out) a slash": clients follow it with the same
    # method, so `DELETE …/likes/..` (collapsed by the client to `…/customers/{id}/`) would
    # delete the customer. A trailing slash is an unknown route (404), like any other.
    app.router.redirect_slashes = False
    return app
