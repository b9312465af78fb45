"""The node's operations, once, for the sync and the async client: no I/O here.

Each operation is a generator: it yields the :class:`Call` (method, path, parameters, body) it
needs answered, receives the parsed answer (or has the :class:`~contacthub.errors.APIError`
thrown into it) and returns the operation's result, built from the same models either way.
:func:`run` drives one over a :class:`~contacthub._http.Transport`; the async client drives the
same generators with ``await`` (``contacthub.aio.arun``). So ``Node.add_customer`` and
``AsyncNode.add_customer`` are one piece of code: the 409 of a forced update, the tag
read-modify-write, the event body's bring-back properties, the answers' fallbacks.

Request shapes come from :mod:`contacthub._wire`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from contacthub import _wire
from contacthub._wire import SortSpec
from contacthub.errors.api_error import APIError

if TYPE_CHECKING:
    from contacthub._http import Transport
    from contacthub.models.customer import Customer
    from contacthub.models.event import Event
    from contacthub.models.segment import Segment

T = TypeVar("T")

# Read-only customer fields: the API sets them, so they are left out of what we write.
READ_ONLY = ("registeredAt", "updatedAt")


@dataclass(frozen=True, slots=True)
class Call:
    """One request an operation needs answered (``path`` relative to the workspace URL)."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    #: Whether a 2xx must carry a document; None: every method but DELETE.
    expect_body: bool | None = None

    @property
    def expects_body(self) -> bool:
        return self.method != "DELETE" if self.expect_body is None else self.expect_body


@dataclass(frozen=True, slots=True)
class Pause:
    """Wait ``seconds`` before the next step (the bulk operations' rounds)."""

    seconds: float


Op = Generator[Call | Pause, Any, T]
"""An operation: yields calls (sent their answers) and pauses, returns its result."""


def run(transport: Transport, op: Op[T], sleep: Callable[[float], None] = time.sleep) -> T:
    """Drive ``op`` over the sync ``transport``: its result (or the error it lets through)."""
    try:
        step = next(op)
        while True:
            if isinstance(step, Pause):
                sleep(step.seconds)
                step = op.send(None)
                continue
            try:
                answer = transport.request(
                    step.method,
                    step.path,
                    params=step.params,
                    json=step.json,
                    expect_body=step.expects_body,
                )
            except APIError as exc:
                step = op.throw(exc)
            else:
                step = op.send(answer)
    except StopIteration as stop:
        return cast(T, stop.value)


def q(segment: str) -> str:
    return _wire.segment(segment)


def _models() -> Any:
    # The models import the node's names for typing; importing them on first use keeps the
    # modules free of an import cycle.
    import contacthub.models as models

    return models


def _segments() -> Any:
    import contacthub.models.segment as segment

    return segment


def customer(node: Any, document: Any) -> Customer:
    """A Customer of ``node`` over ``document``."""
    result: Customer = _models().Customer.from_dict(node, document)
    return result


def customer_handle(node: Any, customer_id: str) -> Customer:
    return customer(node, {"id": customer_id})


# ---------------------------------------------------------------------- customers


def add_customer(node: Any, force_update: bool, attributes: dict[str, Any]) -> Op[Customer]:
    force_update = bool(attributes.pop("forceUpdate", False)) or force_update
    body = {key: value for key, value in attributes.items() if key not in READ_ONLY}
    if body.get("id") is None:
        body.pop("id", None)
    body["nodeId"] = node.node_id
    try:
        return customer(node, (yield Call("POST", "/customers", json=body)))
    except APIError as error:
        existing = _wire.conflict_id(error)
        if not force_update or existing is None:
            raise
    patch = {key: value for key, value in body.items() if key not in ("nodeId", "id")}
    return customer(node, (yield Call("PATCH", f"/customers/{q(existing)}", json=patch)))


def customers_page(
    node_id: str,
    external_id: str | None = None,
    page: int | None = None,
    size: int | None = None,
    fields: str | Iterable[str] | None = None,
    query: Any = None,
    sort: SortSpec | None = None,
) -> Op[Any]:
    params = _wire.customers_params(
        node_id,
        external_id=external_id,
        query=query,
        fields=fields,
        sort=sort,
        page=page,
        size=size,
    )
    return (yield Call("GET", "/customers", params=params))


def get_customer(node: Any, id: str | None, external_id: str | None) -> Op[Customer]:
    if (id is None) == (external_id is None):
        raise ValueError("get_customer() needs exactly one of id= and external_id=")
    if id is not None:
        return customer(node, (yield Call("GET", f"/customers/{q(id)}")))
    page = yield from customers_page(node.node_id, external_id=external_id, size=2)
    elements = page.get("elements") or []
    if not elements:
        raise APIError(
            f"no customer with external id {external_id!r} in node {node.node_id}",
            status_code=404,
            body=page,
        )
    if len(elements) > 1:
        total = (page.get("page") or {}).get("totalElements", len(elements))
        raise ValueError(
            f"{total} customers have external id {external_id!r}: "
            "use get_customers(external_id=...) to get them all"
        )
    return customer(node, elements[0])


def single_customer(customers: Any, external_id: str | None) -> Any:
    """``get_customers(external_id=...)`` gives the customer itself when exactly one has it."""
    if external_id is not None and customers.total_elements == 1 and len(customers) == 1:
        return customers[0]
    return customers


def get_customer_by_email(node: Any, email: str) -> Op[Customer | None]:
    if not isinstance(email, str) or not email:
        raise ValueError(f"email must be a non-empty string, not {email!r}")
    from contacthub.models.query.query import equals_query

    query = equals_query("base.contacts.email", email)
    page = yield from customers_page(node.node_id, query=query, sort="updatedAt,desc", size=1)
    elements = page.get("elements") or []
    return customer(node, elements[0]) if elements else None


def update_customer(
    node: Any, id: str, full_update: bool, attributes: Mapping[str, Any]
) -> Op[Customer]:
    if full_update:
        body = {key: value for key, value in attributes.items() if key not in READ_ONLY}
        body["id"] = id
        body["nodeId"] = node.node_id
        return customer(node, (yield Call("PUT", f"/customers/{q(id)}", json=body)))
    body = {
        key: value for key, value in attributes.items() if key not in (*READ_ONLY, "id", "nodeId")
    }
    return customer(node, (yield Call("PATCH", f"/customers/{q(id)}", json=body)))


def delete_customer(node: Any, id: str, attributes: Mapping[str, Any]) -> Op[Customer]:
    deleted = yield Call("DELETE", f"/customers/{q(id)}")
    if not isinstance(deleted, Mapping) or not deleted:
        deleted = {**attributes, "id": id}
    return customer(node, deleted)


# ---------------------------------------------------------------------- tags


def _manual_tags(document: Any) -> list[Any]:
    return list(((document.get("tags") or {}).get("manual")) or [])


def add_tag(node: Any, customer_id: str, tag: str) -> Op[Customer]:
    document = yield Call("GET", f"/customers/{q(customer_id)}")
    manual = _manual_tags(document)
    if tag in manual:
        return customer(node, document)
    return (
        yield from update_customer(node, customer_id, False, {"tags": {"manual": [*manual, tag]}})
    )


def remove_tag(node: Any, customer_id: str, tag: str) -> Op[Customer]:
    document = yield Call("GET", f"/customers/{q(customer_id)}")
    manual = _manual_tags(document)
    if tag not in manual:
        raise ValueError(f"customer {customer_id} has no manual tag {tag!r}")
    manual.remove(tag)
    return (yield from update_customer(node, customer_id, False, {"tags": {"manual": manual}}))


# ---------------------------------------------------------------------- sessions and sources


def add_customer_session(customer_id: str, session_id: str) -> Op[Any]:
    path = f"/customers/{q(customer_id)}/sessions"
    return (yield Call("POST", path, json={"value": session_id}))


def _elements(path: str) -> Op[list[Any]]:
    result = (yield Call("GET", path)) or {}
    return list(result.get("elements") or [])


def get_customer_sessions(customer_id: str) -> Op[list[Any]]:
    return (yield from _elements(f"/customers/{q(customer_id)}/sessions"))


def get_customer_session(customer_id: str, session_id: str) -> Op[Any]:
    return (yield Call("GET", f"/customers/{q(customer_id)}/sessions/{q(session_id)}"))


def delete_customer_session(customer_id: str, session_id: str) -> Op[None]:
    yield Call("DELETE", f"/customers/{q(customer_id)}/sessions/{q(session_id)}")


def get_customer_sources(customer_id: str) -> Op[list[Any]]:
    return (yield from _elements(f"/customers/{q(customer_id)}/sources"))


def get_customer_source(customer_id: str, source_id: str) -> Op[Any]:
    return (yield Call("GET", f"/customers/{q(customer_id)}/sources/{q(source_id)}"))


# ---------------------------------------------------------------------- events


def event_body(node_id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of an event: bring-back properties spelt the API's way, with a node."""
    body = dict(attributes)
    bring_back: Any = body.get("bringBackProperties")
    if hasattr(bring_back, "to_dict"):  # a Properties object
        bring_back = bring_back.to_dict()
    if isinstance(bring_back, Mapping):
        properties = dict(bring_back)
        # The guide's own example writes type='externalId': accept the API's spelling's cousins.
        kind = str(properties.get("type", "")).replace("_", "").upper()
        if kind in ("EXTERNALID", "SESSIONID"):
            properties["type"] = "EXTERNAL_ID" if kind == "EXTERNALID" else "SESSION_ID"
        if properties.get("nodeId") is None:
            properties["nodeId"] = node_id
        body["bringBackProperties"] = properties
    return body


def _event(node: Any, document: Any) -> Event:
    result: Event = _models().Event.from_dict(node, document)
    return result


def add_event(node: Any, attributes: Mapping[str, Any]) -> Op[Event]:
    body = event_body(node.node_id, attributes)
    if body.get("id") is None:
        body.pop("id", None)
    # The API answered 202 with an empty body before version 1.11 (contract §2.4).
    answer = yield Call("POST", "/events", json=body, expect_body=False)
    if isinstance(answer, Mapping) and answer.get("id") is not None:
        body["id"] = answer["id"]
    return _event(node, body)


def get_event(node: Any, id: str) -> Op[Event]:
    return _event(node, (yield Call("GET", f"/events/{q(id)}")))


def update_event(node: Any, id: str, attributes: Mapping[str, Any]) -> Op[Event]:
    body = event_body(node.node_id, attributes)
    body.pop("id", None)  # the path names the event
    answer = yield Call("PUT", f"/events/{q(id)}", json=body, expect_body=False)
    return _event(node, answer or {**body, "id": id})


def delete_event(id: str) -> Op[None]:
    yield Call("DELETE", f"/events/{q(id)}")


def check_dates(date_from: Any, date_to: Any) -> None:
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value is not None and not isinstance(value, (datetime, date, str)):
            raise TypeError(f"{name} must be a datetime, a date or a string, not {value!r}")


def events_page(
    node_id: str,
    customer_id: str | None = None,
    event_type: str | Iterable[str] | None = None,
    context: str | Iterable[str] | None = None,
    event_mode: str | None = None,
    date_from: datetime | date | str | None = None,
    date_to: datetime | date | str | None = None,
    page: int | None = None,
    size: int | None = None,
) -> Op[Any]:
    params = _wire.events_params(
        node_id,
        customer_id=customer_id,
        event_type=event_type,
        context=context,
        mode=event_mode,
        date_from=date_from,
        date_to=date_to,
        page=page,
        size=size,
    )
    return (yield Call("GET", "/events", params=params))


def get_consent_logs(
    customer_id: str | None,
    start_date: date | str | None,
    end_date: date | str | None,
    log_type: str | None,
    consent_property: str | None,
    descending: bool,
) -> Op[list[dict[str, Any]]]:
    params: dict[str, Any] = {
        "customerId": customer_id,
        "startDate": None if start_date is None else str(start_date),
        "endDate": None if end_date is None else str(end_date),
        "type": log_type,
        "property": consent_property,
        "sort": "date,desc" if descending else None,
        "size": 50,
    }
    params = {k: v for k, v in params.items() if v is not None}
    logs: list[dict[str, Any]] = []
    page = 0
    while True:
        body = yield Call("GET", "/consent-logs", params={**params, "page": page})
        logs.extend(body["elements"])
        page += 1
        if page >= body["page"]["totalPages"]:
            return logs


# ---------------------------------------------------------------------- customer items


@dataclass(frozen=True, slots=True)
class Item:
    """How one kind of customer item (education, job, like, subscription) travels."""

    collection: str
    class_name: str


EDUCATION = Item("educations", "Education")
JOB = Item("jobs", "Job")
LIKE = Item("likes", "Like")
SUBSCRIPTION = Item("subscriptions", "Subscription")


def _item(node: Any, item: Item, customer_id: str, document: Any) -> Any:
    model = getattr(_models(), item.class_name)
    return model.from_dict(customer_handle(node, customer_id), document)


def _item_path(item: Item, customer_id: str, item_id: str | None = None) -> str:
    path = f"/customers/{q(customer_id)}/{item.collection}"
    return path if item_id is None else f"{path}/{q(item_id)}"


def add_item(node: Any, item: Item, customer_id: str, attributes: Mapping[str, Any]) -> Op[Any]:
    answer = yield Call("POST", _item_path(item, customer_id), json=attributes)
    return _item(node, item, customer_id, answer if answer else attributes)


def get_item(node: Any, item: Item, customer_id: str, item_id: str) -> Op[Any]:
    answer = yield Call("GET", _item_path(item, customer_id, item_id))
    return _item(node, item, customer_id, answer)


def update_item(
    node: Any, item: Item, customer_id: str, item_id: str, attributes: Mapping[str, Any]
) -> Op[Any]:
    body = {**attributes, "id": item_id}
    answer = yield Call("PUT", _item_path(item, customer_id, item_id), json=body)
    return _item(node, item, customer_id, answer if answer else body)


def remove_item(item: Item, customer_id: str, item_id: str) -> Op[None]:
    yield Call("DELETE", _item_path(item, customer_id, item_id))


# ---------------------------------------------------------------------- segments


def segment(node: Any, document: Any) -> Segment:
    result: Segment = _segments().Segment.from_dict(node, document)
    return result


def _segment_body(name: str, query: Any, enabled: bool) -> dict[str, Any]:
    return {"name": name, "query": _segments().inner_query(query), "enabled": enabled}


def add_segment(node: Any, name: str, query: Any, enabled: bool) -> Op[Segment]:
    answer = yield Call("POST", "/segments", json=_segment_body(name, query, enabled))
    document = answer[0] if isinstance(answer, list) and answer else answer
    return segment(node, document)


def get_segment(node: Any, id: str) -> Op[Segment]:
    return segment(node, (yield Call("GET", f"/segments/{q(id)}")))


def segments_page(
    name: str | None = None, page: int | None = None, size: int | None = None
) -> Op[Any]:
    return (yield Call("GET", "/segments", params={"name": name, "page": page, "size": size}))


def update_segment(node: Any, id: str, name: str, query: Any, enabled: bool) -> Op[Segment]:
    body = _segment_body(name, query, enabled)
    return segment(node, (yield Call("PUT", f"/segments/{q(id)}", json=body)))


def delete_segment(node: Any, id: str) -> Op[Segment]:
    return segment(node, (yield Call("DELETE", f"/segments/{q(id)}")))


def segment_customers_page(
    node_id: str,
    segment_id: str,
    page: int | None = None,
    size: int | None = None,
    fields: str | Iterable[str] | None = None,
    sort: SortSpec | None = None,
) -> Op[Any]:
    params = {
        "nodeId": node_id,
        "fields": _wire.join(fields if fields is not None else _segments().CUSTOMER_FIELDS),
        "page": page,
        "size": size,
        "sort": _wire.sort_param(sort),
    }
    return (yield Call("GET", f"/segments/{q(segment_id)}/customers", params=params))


# ---------------------------------------------------------------------- the workspace


def me(base_url: str) -> Op[Any]:
    return (yield Call("GET", f"{base_url}/me"))
