"""The console's operator pages: the request log, faults per workspace, and reset.

They use the admin seam (:class:`contacthub_server.admin.HubAdmin`, ``request.app.state.admin``),
the same that the admin API under ``/_hub/`` uses, so the console and the API cannot disagree.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from contacthub_server.admin import HubAdmin
from contacthub_server.console.pages import Console
from contacthub_server.service.errors import HubError
from contacthub_server.service.faults import FAULT_KINDS

#: Requests shown on one page of the log.
REQUESTS_SHOWN = 200


def _admin(request: Request) -> HubAdmin:
    admin: HubAdmin = request.app.state.admin
    return admin


def pretty_body(text: str, truncated: bool = False) -> str:
    """A body for reading: indented when it is (complete) JSON, else as it came."""
    if not text or truncated:
        return text
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


class Operations:
    """Handlers of the request log, faults and reset pages (guarded by the console's session)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    # -- the request log -------------------------------------------------------------------
    async def requests(self, request: Request) -> Response:
        """The last requests of the ContactHub API, newest first, filterable."""
        params = request.query_params
        filters = {k: params.get(k, "").strip() for k in ("workspace", "method", "status", "path")}
        log = _admin(request).request_log
        error = None
        try:
            rows = log.search(
                workspace=filters["workspace"] or None,
                method=filters["method"] or None,
                status=filters["status"] or None,
                path=filters["path"] or None,
                limit=REQUESTS_SHOWN,
            )
        except ValueError as exc:
            rows, error = [], str(exc)
        workspaces = await self.console._read(lambda tx: tx.list_workspaces())
        return self.console.render(
            request,
            "requests.html",
            400 if error else 200,
            workspace=filters["workspace"] or None,
            workspaces=workspaces,
            rows=[row.to_json() for row in rows],
            filters=filters,
            error=error,
            log=log,
            shown=REQUESTS_SHOWN,
        )

    async def one_request(self, request: Request) -> Response:
        """One logged request: its headers and both bodies."""
        ident = request.path_params["id"]
        entry = _admin(request).request_log.get(int(ident)) if ident.isdigit() else None
        if entry is None:
            return self.console.render(
                request,
                "missing.html",
                404,
                what=f"logged request {ident} (the log keeps the last)",
            )
        data = entry.to_json()
        return self.console.render(
            request,
            "request.html",
            workspace=data["workspaceId"],
            entry=data,
            request_body=pretty_body(data["requestBody"], data["requestBodyTruncated"]),
            response_body=pretty_body(data["responseBody"], data["responseBodyTruncated"]),
        )

    async def clear_requests(self, request: Request) -> Response:
        """Forget the logged requests (of one workspace when the form names it)."""
        form = await request.form()
        ws = str(form.get("workspace", "")).strip() or None
        cleared = _admin(request).request_log.clear(ws)
        query = {"cleared": str(cleared), **({"workspace": ws} if ws else {})}
        return RedirectResponse("/console/requests?" + urlencode(query), status_code=303)

    # -- faults ----------------------------------------------------------------------------
    async def faults(self, request: Request) -> Response:
        """The workspace's faults and latency: a form to set them, a button to turn them off."""
        ws = await self.console._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        current = await run_in_threadpool(_admin(request).workspace_faults, ws)
        message = {"off": "Faults turned off.", "saved": "Saved."}.get(
            request.query_params.get("done", "")
        )
        return self._faults_page(request, current, message=message)

    def _faults_page(
        self,
        request: Request,
        current: dict[str, Any],
        *,
        status: int = 200,
        message: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        form: dict[str, Any] | None = None,
    ) -> Response:
        shown = form or {
            "rate": current["rate"],
            "latencyMs": current["latencyMs"],
            "seed": "" if current["seed"] is None else current["seed"],
            "statuses": current["statuses"],
        }
        return self.console.render(
            request,
            "faults.html",
            status,
            current=current,
            form=shown,
            kinds=FAULT_KINDS,
            defaults=_admin(request).default_faults.to_json(),
            message=message,
            errors=errors or [],
        )

    async def set_faults(self, request: Request) -> Response:
        """Give the workspace the faults of the form (checked as ``PUT …/faults`` checks them)."""
        ws = await self.console._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        form = await request.form()
        rate = str(form.get("rate", "")).strip()
        latency = str(form.get("latencyMs", "")).strip()
        seed = str(form.get("seed", "")).strip()
        kinds = [str(v) for v in form.getlist("statuses")]
        typed = {"rate": rate, "latencyMs": latency, "seed": seed, "statuses": kinds}
        body: dict[str, Any] = {
            "rate": _number(rate or "0"),
            "latencyMs": _number(latency or "0"),
            "seed": _number(seed) if seed else None,
            "statuses": kinds,
        }
        admin = _admin(request)
        try:
            await run_in_threadpool(admin.set_workspace_faults, ws, body)
        except HubError as exc:
            current = await run_in_threadpool(admin.workspace_faults, ws)
            problems = exc.errors or [{"path": "", "message": exc.message}]
            return self._faults_page(request, current, status=400, errors=problems, form=typed)
        return RedirectResponse(f"/console/w/{ws}/faults?done=saved", status_code=303)

    async def faults_off(self, request: Request) -> Response:
        """Take the workspace's own faults away (back to the hub-wide ones)."""
        ws = await self.console._workspace_or_404(request)
        if isinstance(ws, Response):
            return ws
        await run_in_threadpool(_admin(request).clear_workspace_faults, ws)
        return RedirectResponse(f"/console/w/{ws}/faults?done=off", status_code=303)

    # -- reset -----------------------------------------------------------------------------
    async def reset(self, request: Request) -> Response:
        """Empty one workspace (``workspace``) or every one (``all``), as ``POST /_hub/reset``."""
        form = await request.form()
        ws = str(form.get("workspace", "")).strip() or None
        if ws is None and form.get("all") != "1":
            return self.console.render(request, "missing.html", 400, what="a workspace to reset")
        deleted = await run_in_threadpool(_admin(request).reset, ws)
        query = {
            "reset": ws or "all",
            "customers": str(deleted.get("customers", 0)),
            "events": str(deleted.get("events", 0)),
        }
        return RedirectResponse("/console/?" + urlencode(query), status_code=303)


def _number(text: str) -> Any:
    """A form field as a JSON number when it reads as one (the rules then check the range)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
