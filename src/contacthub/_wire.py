"""Every request shape the SDK sends, written once.

The node, the workspace and the bulk operations build their requests from these functions, so
that a parameter is spelt the same way wherever it is sent:

- instants: :func:`parse_instant` and :func:`parse_day` read every form the API and its clients
  write (on the standard library's ``datetime.fromisoformat``); :func:`format_instant` and
  :func:`format_day` write the API's own form, ``2017-03-08T10:18:17.000+0000`` and
  ``2017-03-08``. A naive ``datetime`` is local time, as ``datetime.astimezone()`` reads it;
  a date-time *text* without an offset is UTC, as the API reads it.
- the ``query`` parameter: always the ``{"name": ..., "query": ...}`` document (:func:`query_document`,
  :func:`query_param`);
- ``sort`` (:func:`sort_param`) and comma lists (:func:`join`);
- ids as exactly one path segment (:func:`segment`);
- the existing customer's id of a 409 (:func:`conflict_id`, :func:`conflict_error`);
- the parameters of the customers and events listings (:func:`customers_params`,
  :func:`events_params`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from contacthub._http import Transport, dumps
from contacthub.errors.api_error import APIError

__all__ = [
    "QUERY_NAME",
    "SortSpec",
    "conflict_error",
    "conflict_id",
    "customers_params",
    "date_filter",
    "encode_date",
    "events_params",
    "format_day",
    "format_instant",
    "instant_of",
    "join",
    "parse_day",
    "parse_instant",
    "query_document",
    "query_param",
    "segment",
    "sort_param",
]

# ----------------------------------------------------------------------------------- instants

# What fromisoformat is given: a calendar date (not the basic 20170308 nor a week date), then
# optionally 'T', 't' or a space and a time. The rest (time, fraction, offset) is
# fromisoformat's to read.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEPARATORS = frozenset("Tt ")


def _text(text: Any, what: str) -> str:
    if not isinstance(text, str):
        raise ValueError(f"expected a {what} string, got {type(text).__name__}")
    stripped = text.strip()
    if not _ISO_DATE.match(stripped) or (len(stripped) > 10 and stripped[10] not in _SEPARATORS):
        raise ValueError(
            f"invalid {what} {text!r}: expected a form such as 2017-03-08T10:18:17.000+0000"
            if what == "date-time"
            else f"invalid {what} {text!r}: expected YYYY-MM-DD"
        )
    return stripped


def parse_instant(text: str) -> datetime:
    """The instant a date-time text names, as an aware ``datetime`` in UTC.

    Every form the API and its clients write is read: ``Z``, ``+0000``, ``+00:00``, ``+01`` or any
    other offset, any number of fractional digits (``.`` or ``,``), a space instead of the
    ``T``, minutes or seconds left out. A text without an offset is UTC (as the API reads it);
    a bare date is midnight UTC. Raises ``ValueError`` for anything else.
    """
    stripped = _text(text, "date-time")
    # fromisoformat (3.11) reads everything but a lower-case 't' or 'z', which the API accepts.
    normalised = stripped[:10] + stripped[10:].upper().replace(",", ".")
    try:
        moment = datetime.fromisoformat(normalised)
    except ValueError as exc:
        raise ValueError(f"invalid date-time {text!r}: {exc}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 pushed out of range by the offset
        raise ValueError(f"invalid date-time {text!r}: {exc}") from None


def parse_day(text: str) -> date:
    """The calendar date of a date text (``YYYY-MM-DD``).

    A full date-time is accepted too (what a client that encodes a ``datetime`` where a date is
    meant sends, and what the API then stores as a date): its date *as written*, before any
    conversion to UTC, as the API takes it (``1980-05-10T00:00:00+02:00`` is 10 May). Raises
    ``ValueError``.
    """
    stripped = _text(text, "date")
    if len(stripped) > 10:
        parse_instant(stripped)  # the whole date-time must be valid, not only its date
    try:
        return date.fromisoformat(stripped[:10])
    except ValueError as exc:
        raise ValueError(f"invalid date {text!r}: {exc}") from None


def _utc(moment: datetime) -> datetime:
    # astimezone() reads a naive datetime as local time, as Python does everywhere else.
    return moment.astimezone(UTC)


def format_instant(moment: datetime) -> str:
    """``moment`` as the API writes date-times: UTC, milliseconds, ``2017-03-08T10:18:17.000+0000``.

    A naive ``datetime`` is local time (as ``moment.astimezone()`` reads it), so
    ``format_instant(datetime.now())`` is now; an aware one is converted to UTC. The fraction is
    cut to milliseconds, never rounded up.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, not {moment!r}")
    moment = _utc(moment)
    # By hand: strftime does not zero-pad years before 1000 on every platform.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}+0000"
    )


def format_day(day: date) -> str:
    """A date as the API writes dates: ``YYYY-MM-DD`` (a ``datetime``: its own calendar date)."""
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def encode_date(value: date) -> str:
    """How a ``datetime`` (:func:`format_instant`) or a ``date`` (:func:`format_day`) travels in JSON."""
    if isinstance(value, datetime):
        return format_instant(value)
    return format_day(value)


def date_filter(value: datetime | date | str) -> str:
    """A date-time filter parameter (``dateFrom``, ``dateTo``).

    A ``datetime`` is written with :func:`format_instant` (naive = local time), a ``date`` is
    that day's midnight UTC (as the API reads a bare date), a string is sent as it is.
    """
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return format_instant(datetime(value.year, value.month, value.day, tzinfo=UTC))
    if isinstance(value, str):
        return value
    raise TypeError(f"a date filter must be a datetime, a date or a string, not {value!r}")


def instant_of(value: Any) -> datetime | None:
    """The instant a value names (a date-time text or a ``datetime``), in UTC; None otherwise."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------------- query

#: The ``name`` of the query documents the SDK builds (the original Python SDK's).
QUERY_NAME = "query"


def _is_bare_query(value: Mapping[str, Any]) -> bool:
    # A simple or combined query has a "type"; the document around one has "query" and no type.
    return "type" in value or "query" not in value


def query_document(query: Any) -> dict[str, Any] | None:
    """The ``{"name": ..., "query": ...}`` document of a query, or None for no filter.

    ``query`` is a query built with ``node.query(Customer)`` (None when it has no filter), a
    dict that is already the document, or a bare simple or combined query (wrapped here).
    """
    if query is None:
        return None
    build = getattr(query, "to_dict", None)
    if callable(build) and not isinstance(query, Mapping):
        query = build()  # a models Query: its document, or None when it has no filter
        if query is None:
            return None
    if not isinstance(query, Mapping):
        raise TypeError(f"a query must be a Query, a dict or its JSON text, not {query!r}")
    if _is_bare_query(query):
        return {"name": QUERY_NAME, "query": dict(query)}
    return dict(query)


def query_param(query: Any) -> str | None:
    """The ``query`` parameter of ``GET /customers``: the query document as JSON text.

    Takes what :func:`query_document` takes, or JSON text (a bare query in it is wrapped too;
    text that is not a JSON object is sent as it is, for the API to judge).
    """
    if isinstance(query, str):
        try:
            parsed = json.loads(query)
        except ValueError:
            return query
        if not isinstance(parsed, dict) or not _is_bare_query(parsed):
            return query
        query = parsed
    document = query_document(query)
    return None if document is None else dumps(document)


# ------------------------------------------------------------------------------ sort, lists

SortSpec = str | tuple[str, str] | Iterable[str | tuple[str, str]]


def sort_param(sort: SortSpec | None) -> list[str] | None:
    """``sort`` as the API's repeated ``field[,asc|desc]`` parameters.

    Takes ``'base.lastName'``, ``'updatedAt,desc'``, ``('updatedAt', 'desc')`` or a list of
    those; None (or an empty list) for no sort.
    """
    if sort is None:
        return None
    items: list[Any] = [sort] if isinstance(sort, (str, tuple)) else list(sort)
    result = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2:
            field, direction = item
            if str(direction).lower() not in ("asc", "desc"):
                raise ValueError(f"sort direction must be 'asc' or 'desc', not {direction!r}")
            result.append(f"{field},{str(direction).lower()}")
        elif isinstance(item, str) and item.strip():
            result.append(item.strip())
        else:
            raise ValueError(
                f"sort must be 'field', 'field,desc' or ('field', 'desc'), not {item!r}"
            )
    return result or None


def join(value: str | Iterable[str] | None) -> str | None:
    """A list filter (``fields``, event types, contexts) as one comma-separated string."""
    if value is None or isinstance(value, str):
        return value
    return ",".join(str(item) for item in value) or None


# ------------------------------------------------------------------------------ ids, conflicts


def segment(value: str) -> str:
    """An id as exactly one URL path segment (``/``, ``?``, ``.`` and ``..`` percent-encoded).

    Raises ``ValueError`` for anything but a non-empty string.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"an id must be a non-empty string, not {value!r}")
    return Transport.quote(value)


def conflict_id(error: APIError) -> str | None:
    """The id of the existing customer a 409 names (``data.customer.id``), or None."""
    if error.status_code != 409:
        return None
    data = error.data
    if isinstance(data, Mapping):
        customer = data.get("customer")
        if isinstance(customer, Mapping):
            existing = customer.get("id")
            if isinstance(existing, str) and existing:
                return existing
    return None


def conflict_error(customer_id: str) -> APIError:
    """A 409 naming ``customer_id`` as the API answers it (for a conflict found by a lookup)."""
    return APIError(
        f"Conflict with existing customer {customer_id}",
        status_code=409,
        data={"customer": {"id": customer_id}},
    )


# ---------------------------------------------------------------------------------- listings


def _present(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}


def customers_params(
    node_id: str,
    *,
    external_id: str | None = None,
    query: Any = None,
    fields: str | Iterable[str] | None = None,
    sort: SortSpec | None = None,
    page: int | None = None,
    size: int | None = None,
) -> dict[str, Any]:
    """The parameters of ``GET /customers`` (those given: None means left out)."""
    return _present(
        {
            "nodeId": node_id,
            "externalId": external_id,
            "query": query_param(query),
            "fields": join(fields),
            "sort": sort_param(sort),
            "page": page,
            "size": size,
        }
    )


def events_params(
    node_id: str,
    *,
    customer_id: str | None = None,
    event_type: str | Iterable[str] | None = None,
    context: str | Iterable[str] | None = None,
    mode: str | None = None,
    date_from: datetime | date | str | None = None,
    date_to: datetime | date | str | None = None,
    page: int | None = None,
    size: int | None = None,
) -> dict[str, Any]:
    """The parameters of ``GET /events`` (those given: None means left out).

    One customer's events with ``customer_id``; otherwise this node's (never the whole
    workspace's).
    """
    return _present(
        {
            "customerId": customer_id,
            "nodeId": node_id if customer_id is None else None,
            "type": join(event_type),
            "context": join(context),
            "mode": mode,
            "dateFrom": None if date_from is None else date_filter(date_from),
            "dateTo": None if date_to is None else date_filter(date_to),
            "page": page,
            "size": size,
        }
    )
