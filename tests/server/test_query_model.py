"""The store answers every query exactly as a plain-Python reading of the rules would.

Hypothesis generates customer documents and queries from the whole grammar; the model below
evaluates each query over the documents in Python, written from the rules of issue 3 and without
looking at the SQL compiler; the store must return the same customers, in the same order (the
default order: registeredAt, then id), with the same total, on every backend.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacthub_server.query import parse_query
from contacthub_server.store import Store

# -- the model ----------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d")


def as_instant(text: str) -> datetime | None:
    """The instant of a date string in the forms this test generates, else None."""
    for form in _DATE_FORMATS:
        try:
            moment = datetime.strptime(text, form)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def values_at(node: Any, segments: list[str]) -> list[Any]:
    """Every non-null value at the path; a list on the way contributes each element."""
    if node is None:
        return []
    if isinstance(node, list):
        return [value for item in node for value in values_at(item, segments)]
    if not segments:
        return [node]
    if isinstance(node, dict) and segments[0] in node:
        return values_at(node[segments[0]], segments[1:])
    return []


def category(value: Any) -> tuple[str, Any]:
    """How a value compares: ("b", bool), ("n", number), ("d", instant), ("s", text), ("o", _)."""
    if isinstance(value, bool):
        return "b", value
    if isinstance(value, (int, float)):
        return "n", value
    if isinstance(value, str):
        instant = as_instant(value)
        return ("d", instant) if instant is not None else ("s", value)
    return "o", None


def equal(stored: Any, given: Any) -> bool:
    (kind_a, a), (kind_b, b) = category(stored), category(given)
    return kind_a == kind_b and kind_a != "o" and a == b


def ordered(stored: Any, given: Any, test: Any) -> bool:
    """`test(stored, given)` when the two are comparable under the rules."""
    (kind_s, s), (kind_g, g) = category(stored), category(given)
    if kind_g == "s":  # a plain string compares with every stored string, as text
        return isinstance(stored, str) and bool(test(stored, given))
    return kind_s == kind_g and kind_g in ("n", "d") and bool(test(s, g))


def atomic_holds(doc: dict[str, Any], cond: dict[str, Any]) -> bool:
    found = values_at(doc, cond["attribute"].split("."))
    op, given = cond["operator"], cond.get("value")
    if op == "IS_NULL":
        return not found
    if op == "IS_NOT_NULL":
        return bool(found)
    if op in ("EQUALS", "IN", "NOT_EQUALS", "NOT_IN"):
        wanted = given if isinstance(given, list) else [given]
        hit = any(equal(value, w) for value in found for w in wanted)
        return hit if op in ("EQUALS", "IN") else not hit
    if op == "BETWEEN":
        low, high = given
        return any(
            ordered(v, low, lambda a, b: a >= b) and ordered(v, high, lambda a, b: a <= b)
            for v in found
        )
    tests = {
        "GT": lambda a, b: a > b,
        "GTE": lambda a, b: a >= b,
        "LT": lambda a, b: a < b,
        "LTE": lambda a, b: a <= b,
    }
    return any(ordered(v, given, tests[op]) for v in found)


def condition_holds(doc: dict[str, Any], cond: dict[str, Any]) -> bool:
    if cond["type"] == "atomic":
        return atomic_holds(doc, cond)
    results = [condition_holds(doc, item) for item in cond["conditions"]]
    return all(results) if cond["conjunction"] == "and" else any(results)


def query_holds(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    if query["type"] == "simple":
        return condition_holds(doc, query["are"]["condition"])
    results = [query_holds(doc, item) for item in query["queries"]]
    if query["conjunction"] == "INTERSECT":
        return all(results)
    if query["conjunction"] == "UNION":
        return any(results)
    return results[0] and not any(results[1:])


# -- generators ---------------------------------------------------------------------------

_MOMENTS = [
    datetime(1980, 5, 1, tzinfo=timezone.utc),
    datetime(1980, 5, 1, 12, 30, tzinfo=timezone.utc),
    datetime(2017, 3, 8, 10, 18, 17, 250_000, tzinfo=timezone.utc),
    datetime(2020, 1, 1, tzinfo=timezone.utc),
]


@st.composite
def date_strings(draw: st.DrawFn) -> str:
    """A date or date-time in one of the accepted forms (several forms of one instant)."""
    moment = draw(st.sampled_from(_MOMENTS))
    form = draw(st.sampled_from(["date", "canonical", "z", "colon", "plus2"]))
    if form == "date":
        return moment.strftime("%Y-%m-%d")
    if form == "canonical":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
    if form == "z":
        return (
            moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            if not moment.microsecond
            else (moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z")
        )
    shifted = moment.astimezone(timezone(timedelta(hours=2)))
    if form == "plus2":
        return shifted.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+02:00"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


words = st.sampled_from(["", "a", "B", "b", "Mario", "mario", "ä", "é", "Zed", "vip", "1980"])
numbers = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -1.5, 2.0, 1e6]))
scalars = st.one_of(words, numbers, st.booleans(), date_strings())
leaves = st.one_of(st.none(), scalars, st.lists(scalars, max_size=3))

PATHS = [
    "base.firstName",
    "base.dob",
    "base.contacts.email",
    "base.jobs",
    "base.jobs.companyName",
    "base.jobs.startDate",
    "base.address",
    "base.address.city",
    "tags.auto",
    "tags.manual",
    "extended.a",
    "extended.b",
    "extended.b.c",
    "extended.missing",
    "externalId",
    "extra",
    "enabled",
    "registeredAt",
    "id",
]


@st.composite
def customers(draw: st.DrawFn) -> dict[str, Any]:
    jobs = draw(
        st.one_of(
            st.none(),
            st.lists(
                st.fixed_dictionaries({"companyName": leaves, "startDate": leaves}), max_size=3
            ),
        )
    )
    address = draw(st.one_of(st.none(), st.fixed_dictionaries({"city": leaves})))
    nested = st.one_of(
        leaves,
        st.fixed_dictionaries({"c": leaves}),
        st.lists(st.fixed_dictionaries({"c": leaves}), max_size=2),
    )
    tags = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"auto": st.lists(words, max_size=3), "manual": st.lists(words, max_size=2)}
            ),
        )
    )
    return {
        "id": str(uuid.uuid4()),
        "nodeId": "node",
        "externalId": draw(st.one_of(st.none(), words)),
        "extra": draw(st.one_of(st.none(), words)),
        "enabled": draw(st.booleans()),
        "registeredAt": draw(date_strings()),
        "base": {
            "firstName": draw(st.one_of(st.none(), words)),
            "dob": draw(st.one_of(st.none(), date_strings())),
            "contacts": draw(st.one_of(st.none(), st.fixed_dictionaries({"email": leaves}))),
            "jobs": jobs,
            "address": address,
        },
        "extended": draw(
            st.one_of(st.none(), st.fixed_dictionaries({}, optional={"a": leaves, "b": nested}))
        ),
        "tags": tags,
    }


@st.composite
def atomics(draw: st.DrawFn) -> dict[str, Any]:
    operator = draw(
        st.sampled_from(
            [
                "EQUALS",
                "NOT_EQUALS",
                "IN",
                "NOT_IN",
                "IS_NULL",
                "IS_NOT_NULL",
                "GT",
                "GTE",
                "LT",
                "LTE",
                "BETWEEN",
            ]
        )
    )
    cond: dict[str, Any] = {
        "type": "atomic",
        "attribute": draw(st.sampled_from(PATHS)),
        "operator": operator,
    }
    if operator in ("EQUALS", "NOT_EQUALS"):
        cond["value"] = draw(scalars)
    elif operator in ("IN", "NOT_IN"):
        cond["value"] = draw(st.one_of(scalars, st.lists(scalars, max_size=3)))
    elif operator == "BETWEEN":
        kind = draw(st.sampled_from([words, numbers, date_strings()]))
        cond["value"] = sorted([draw(kind), draw(kind)], key=lambda v: str(v))
    elif operator in ("GT", "GTE", "LT", "LTE"):
        cond["value"] = draw(st.one_of(words, numbers, date_strings()))
    elif draw(st.booleans()):
        cond["value"] = ""  # IS_NULL / IS_NOT_NULL: a value is ignored
    return cond


conditions = st.recursive(
    atomics(),
    lambda inner: st.fixed_dictionaries(
        {
            "type": st.just("composite"),
            "conjunction": st.sampled_from(["and", "or"]),
            "conditions": st.lists(inner, min_size=1, max_size=3),
        }
    ),
    max_leaves=5,
)
simple_queries = st.builds(
    lambda cond: {"type": "simple", "name": "query", "are": {"condition": cond}}, conditions
)
queries = st.recursive(
    simple_queries,
    lambda inner: st.fixed_dictionaries(
        {
            "type": st.just("combined"),
            "name": st.just("query"),
            "conjunction": st.sampled_from(["INTERSECT", "UNION", "EXCEPT"]),
            "queries": st.lists(inner, min_size=1, max_size=3),
        }
    ),
    max_leaves=4,
)


# -- the property --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(database_url: str) -> Iterator[Store]:
    opened = Store.connect(database_url)
    yield opened
    opened.close()


def instant_key(doc: dict[str, Any]) -> datetime:
    moment = as_instant(doc["registeredAt"])
    assert moment is not None
    return moment


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(docs=st.lists(customers(), max_size=7), query=queries)
def test_store_returns_exactly_what_the_model_selects(
    store: Store, docs: list[dict[str, Any]], query: dict[str, Any]
) -> None:
    ws = f"ws-{uuid.uuid4()}"
    with store.write() as tx:
        for doc in docs:
            tx.insert_customer(ws, doc, None)
    document = {"name": "query", "query": query}
    expected = sorted(
        (doc for doc in docs if query_holds(doc, query)),
        key=lambda doc: (instant_key(doc), doc["id"]),
    )
    with store.read() as tx:
        got, total = tx.search_customers(ws, "node", query=parse_query(document), size=50)
    assert [doc["id"] for doc in got] == [doc["id"] for doc in expected]
    assert total == len(expected)
