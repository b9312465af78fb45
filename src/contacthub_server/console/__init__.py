"""The hub's web console: see what your code did, under ``/console/`` (``/`` leads there).

Server-rendered pages (Jinja2 templates) with a little JavaScript of our own for the query
builder; every asset ships in this package, so the console works offline. Access needs the
hub's admin key, typed once at ``/console/login`` and remembered by a cookie
(:mod:`contacthub_server.console.session`). The console is apart from the ContactHub API: none of
its routes is under ``/hub/v1``, and a workspace token does not open it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from contacthub_server.console.dashboard import DashboardPage
from contacthub_server.console.feed import FeedPage
from contacthub_server.console.operations import Operations
from contacthub_server.console.pages import Console
from contacthub_server.console.segments import SegmentPages
from contacthub_server.console.session import ConsoleSession
from contacthub_server.service.registry import Registry

_HERE = Path(__file__).parent


async def _to_console(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=307 if request.method != "GET" else 302)


def console_routes(registry: Registry, admin_key: Callable[[], str]) -> list[BaseRoute]:
    """The console's routes over ``registry``; ``admin_key()`` gives the key that opens it."""
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    console = Console(registry, ConsoleSession(admin_key), templates)
    guard = console.guarded
    ops = Operations(console)
    segments = SegmentPages(console)
    feed = FeedPage(console)
    dashboard = DashboardPage(console)
    w = "/console/w/{ws}"
    return [
        Route("/", _to_console, methods=["GET"]),
        Route("/console", _to_console, methods=["GET"]),
        Route("/console/login", console.login_form, methods=["GET"]),
        Route("/console/login", console.login, methods=["POST"]),
        Route("/console/logout", console.logout, methods=["POST"]),
        Route("/console/", guard(console.home), methods=["GET"]),
        Route(w + "/customers", guard(console.customers), methods=["GET"]),
        Route(w + "/customers/{id}", guard(console.customer), methods=["GET"]),
        Route(w + "/customers/{id}/edit", guard(console.edit_customer), methods=["POST"]),
        Route(w + "/customers/{id}/delete", guard(console.delete_customer), methods=["POST"]),
        Route(w + "/query", guard(console.query), methods=["GET"]),
        Route(w + "/events", guard(console.events), methods=["GET"]),
        Route(w + "/segments", guard(segments.segments), methods=["GET"]),
        Route(w + "/segments/{id}", guard(segments.segment), methods=["GET"]),
        Route(w + "/feed", guard(feed.feed), methods=["GET"]),
        Route(w + "/dashboard", guard(dashboard.dashboard), methods=["GET"]),
        Route(w + "/faults", guard(ops.faults), methods=["GET"]),
        Route(w + "/faults", guard(ops.set_faults), methods=["POST"]),
        Route(w + "/faults/off", guard(ops.faults_off), methods=["POST"]),
        Route("/console/requests", guard(ops.requests), methods=["GET"]),
        Route("/console/requests/clear", guard(ops.clear_requests), methods=["POST"]),
        Route("/console/requests/{id}", guard(ops.one_request), methods=["GET"]),
        Route("/console/reset", guard(ops.reset), methods=["POST"]),
        Mount("/console/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
