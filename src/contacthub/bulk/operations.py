"""The bulk operations of one node, which :class:`contacthub.node.Node` composes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from contacthub import _ops, _wire
from contacthub._ops import Call, Op
from contacthub.bulk import export, rounds
from contacthub.bulk.export import EXPORT_PAGE_SIZE, PagedExport
from contacthub.bulk.recheck import customer_keys, holds, to_millis, without_node
from contacthub.bulk.rounds import GAVE_UP, MAX_ROUNDS, NO_KEY, transient, unknown_outcome
from contacthub.bulk.run import DEFAULT_CONCURRENCY, BulkItem, BulkRun, OutcomeStatus, WorkResult
from contacthub.errors import APIError, OutcomeUnknownError

if TYPE_CHECKING:
    from contacthub._wire import SortSpec
    from contacthub.workspace import Workspace


class BulkOperations:
    """Bulk import and export for one node of a workspace, over the workspace's transport.

    :class:`contacthub.node.Node` holds one and offers its methods as its own
    (``node.bulk_add_customers`` ...).
    """

    def __init__(self, workspace: Workspace, node_id: str) -> None:
        self.workspace = workspace
        self.node_id = node_id

    # ----------------------------------------------------------------------------- import

    def bulk_add_customers(
        self,
        customers: Iterable[Mapping[str, Any] | BulkItem],
        *,
        force_update: bool = False,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], None] | None = None,
    ) -> BulkRun:
        """Add many customers concurrently; iterate the result for each one's outcome.

        Args:
            customers: customer documents (as for ``add_customer``; ``nodeId`` is this node's),
                or :class:`BulkItem` objects carrying a key of yours. Read lazily.
            force_update: when a customer conflicts with an existing one (409), patch the
                existing customer with the document: outcome ``updated``.
            concurrency: how many requests are in flight at once; None (the default) adapts
                it to the server's latency and load, up to the workspace's ``pool_size`` (32 by
                default). Above ``pool_size``, raise that too, or the extra connections are
                opened and closed for every request.
            before_send: called with the keys of each batch of items just before they are sent
                (e.g. to journal them durably).

        Returns:
            A :class:`BulkRun`: outcomes in completion order, and its ``summary``.
        """
        transport = self.workspace.transport

        def work(item: BulkItem) -> WorkResult:
            return _ops.run(transport, customer_work(self.node_id, item, force_update), _sleep)

        return BulkRun(
            customers,
            work,
            concurrency=concurrency,
            before_send=before_send,
            max_concurrency=transport.pool_size,
        )

    def bulk_add_events(
        self,
        events: Iterable[Mapping[str, Any] | BulkItem],
        *,
        concurrency: int | None = DEFAULT_CONCURRENCY,
        before_send: Callable[[list[Any]], None] | None = None,
    ) -> BulkRun:
        """Add many events concurrently; iterate the result for each one's outcome.

        Args:
            events: event documents (as for ``add_event``; a ``bringBackProperties`` without
                ``nodeId`` gets this node's; an event without ``date`` gets the time it is first
                sent), or :class:`BulkItem` objects. Read lazily.
            concurrency: how many requests are in flight at once (None: adaptive, as above).
            before_send: called with the keys of each batch just before it is sent.

        Returns:
            A :class:`BulkRun`: outcomes in completion order (``created`` or ``failed``).
        """
        transport = self.workspace.transport

        def work(item: BulkItem) -> WorkResult:
            return _ops.run(transport, event_work(self.node_id, item), _sleep)

        return BulkRun(
            events,
            work,
            concurrency=concurrency,
            before_send=before_send,
            max_concurrency=transport.pool_size,
        )

    # ----------------------------------------------------------------------------- export

    def export_customers(
        self,
        query: Any = None,
        *,
        external_id: str | None = None,
        sort: SortSpec | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> PagedExport:
        """Every customer of this node matching ``query`` (or all): see ``Node.export_customers``."""
        return export.export_customers(
            self.workspace.transport,
            self.node_id,
            query,
            external_id=external_id,
            sort=sort,
            page_size=page_size,
        )

    def export_events(
        self,
        customer_ids: Iterable[str] | None = None,
        *,
        query: Any = None,
        event_type: str | Sequence[str] | None = None,
        context: str | Sequence[str] | None = None,
        date_from: datetime | date | str | None = None,
        date_to: datetime | date | str | None = None,
        page_size: int = EXPORT_PAGE_SIZE,
    ) -> PagedExport:
        """Events as API documents, page by page: see ``Node.export_events``."""
        return export.export_events(
            self.workspace.transport,
            self.node_id,
            customer_ids,
            query=query,
            event_type=event_type,
            context=context,
            date_from=date_from,
            date_to=date_to,
            page_size=page_size,
        )


# ------------------------------------------------------------------------------ the work
# Each item's work is an operation of contacthub._ops (a generator of requests and pauses),
# so that the sync runs (threads) and the async ones (tasks) share every rule of it.


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


_Settled = tuple[OutcomeStatus, "str | None", "APIError | None"]


def customer_work(node_id: str, item: BulkItem, force_update: bool) -> Op[WorkResult]:
    """One customer of a bulk import: send it, settle a 409 or an unknown outcome by asking the
    hub, and give transient failures up to MAX_ROUNDS rounds."""
    body = {**item.document, "nodeId": node_id}
    # `unknown`: the first unknown outcome; `check`: ask the hub before (re)sending.
    unknown: APIError | None = None
    check = item.recheck
    last: APIError | None = None
    for round_number in range(MAX_ROUNDS):
        if check:
            if not any(customer_keys(body)):
                return "failed", None, unknown_outcome(unknown, NO_KEY), True
            try:
                settled = yield from _settle_customer(node_id, body, force_update)
            except APIError as exc:
                if not transient(exc):
                    return "failed", None, unknown_outcome(unknown, exc), True
                last = exc
                yield rounds.pause_step(round_number)
                continue
            if settled is not None:
                status, customer_id, error = settled
                if status == "created" and unknown is None:
                    status = "present"  # stored by an earlier run: nothing sent now
                return status, customer_id, error, True
            check = False
        landed = unknown is not None or item.recheck
        try:
            created = yield Call("POST", "/customers", json=body, expect_body=False)
            return "created", (created or {}).get("id"), None, landed
        except OutcomeUnknownError as exc:
            unknown = unknown or exc
            check = True
            continue
        except APIError as exc:
            existing_id = _wire.conflict_id(exc)
            if transient(exc):
                last = exc
                yield rounds.pause_step(round_number)
                continue
            if existing_id is None:
                return "failed", None, exc, landed
            try:
                settled = yield from _on_conflict(
                    existing_id, body, force_update, exc, landed=landed
                )
            except APIError as inner:
                if not transient(inner):
                    return "failed", existing_id, inner, landed
                last = inner
                yield rounds.pause_step(round_number)
                continue
            status, customer_id, error = settled
            if status == "created" and unknown is None:
                status = "present"  # the 409 was the earlier run's own customer
            return status, customer_id, error, landed
    if unknown is not None:
        return "failed", None, unknown_outcome(unknown, last or GAVE_UP), True
    return "failed", None, last, False


def _on_conflict(
    customer_id: str,
    body: Mapping[str, Any],
    force_update: bool,
    error: APIError,
    *,
    landed: bool,
) -> Op[_Settled]:
    """Settle a 409: our own earlier attempt (``landed``), a force update, or a failure."""
    path = f"/customers/{_wire.segment(customer_id)}"
    if landed:
        existing = yield Call("GET", path, expect_body=False)
        if holds(existing, without_node(body)):
            return "created", customer_id, None
    if force_update:
        yield Call("PATCH", path, json=without_node(body), expect_body=False)
        return "updated", customer_id, None
    return "failed", customer_id, error


def _settle_customer(
    node_id: str, body: Mapping[str, Any], force_update: bool
) -> Op[_Settled | None]:
    """After an unknown outcome: look the customer up; None when it is not in the hub."""
    candidates = yield from _find_customers(node_id, body)
    if not candidates:
        return None
    wanted = without_node(body)
    for candidate in candidates:
        if holds(candidate, wanted):
            return "created", candidate.get("id"), None
    existing_id = str(candidates[0].get("id"))
    return (
        yield from _on_conflict(
            existing_id, body, force_update, _wire.conflict_error(existing_id), landed=False
        )
    )


def _find_customers(node_id: str, body: Mapping[str, Any]) -> Op[list[dict[str, Any]]]:
    external_id, email = customer_keys(body)
    if external_id:
        params = _wire.customers_params(node_id, external_id=external_id, size=EXPORT_PAGE_SIZE)
        page = yield Call("GET", "/customers", params=params, expect_body=False)
        found = list((page or {}).get("elements") or [])
        if found:
            return found
    if email:
        from contacthub.models.query.query import equals_query

        query = equals_query("base.contacts.email", email)
        params = _wire.customers_params(node_id, query=query, size=EXPORT_PAGE_SIZE)
        page = yield Call("GET", "/customers", params=params, expect_body=False)
        return list((page or {}).get("elements") or [])
    return []


def event_work(node_id: str, item: BulkItem) -> Op[WorkResult]:
    """One event of a bulk import: send it, settle an unknown outcome by looking for it."""
    body = dict(item.document)
    if "date" not in body or body["date"] is None:
        body["date"] = _wire.format_instant(datetime.now(UTC))
    bring_back = body.get("bringBackProperties")
    if isinstance(bring_back, Mapping) and not bring_back.get("nodeId"):
        body["bringBackProperties"] = {**bring_back, "nodeId": node_id}
    unknown: APIError | None = None
    check = item.recheck
    last: APIError | None = None
    for round_number in range(MAX_ROUNDS):
        if check:
            try:
                found = yield from _find_event(node_id, body)
            except APIError as exc:
                if not transient(exc):
                    return "failed", None, unknown_outcome(unknown, exc), True
                last = exc
                yield rounds.pause_step(round_number)
                continue
            if found is not None:
                # Found before this run sent anything: an earlier run stored it.
                return ("present" if unknown is None else "created"), found, None, True
            check = False
        try:
            answer = yield Call("POST", "/events", json=body, expect_body=False)
            event_id = answer.get("id") if isinstance(answer, Mapping) else None
            return "created", event_id, None, unknown is not None or item.recheck
        except OutcomeUnknownError as exc:
            unknown = unknown or exc
            check = True
        except APIError as exc:
            if not transient(exc):
                return "failed", None, exc, unknown is not None
            last = exc
            yield rounds.pause_step(round_number)
    if unknown is not None:
        return "failed", None, unknown_outcome(unknown, last or GAVE_UP), True
    return "failed", None, last, False


def _find_event(node_id: str, body: Mapping[str, Any]) -> Op[str | None]:
    """The id of a stored event identical to ``body``, or None."""
    moment = to_millis(_wire.instant_of(body.get("date")))
    if moment is None or not body.get("type"):
        return None
    # The API keeps milliseconds: a window of exactly that millisecond (both ends inclusive).
    params = _wire.events_params(
        node_id,
        customer_id=body.get("customerId") or None,
        event_type=body["type"],
        date_from=moment,
        date_to=moment,
        size=EXPORT_PAGE_SIZE,
    )
    wanted = {key: body[key] for key in ("context", "properties") if key in body}
    bring_back = body.get("bringBackProperties")
    # Pages in order, none ahead: other workers keep adding events, and an insertion only
    # pushes later entries further down, so reading in order can see one twice but never skip
    # one; pages fetched out of order could skip the very event looked for, and resend it.
    number, total_pages = 0, 1
    while number < total_pages:
        call = Call("GET", "/events", params={**params, "page": number}, expect_body=False)
        answer = yield from rounds.rounds_of(call)
        page: dict[str, Any] = answer if isinstance(answer, dict) else {}
        elements = page.get("elements") or []
        if not elements:
            return None
        for event in elements:
            if to_millis(_wire.instant_of(event.get("date"))) != moment or not holds(event, wanted):
                continue
            if isinstance(bring_back, Mapping) and not holds(
                event.get("bringBackProperties"),
                {k: bring_back.get(k) for k in ("type", "value")},
            ):
                continue
            return str(event.get("id"))
        # Grown meanwhile: what was on the last page may have moved past it.
        total_pages = max(total_pages, int((page.get("page") or {}).get("totalPages", 0)))
        number += 1
    return None
