"""The query language: parsing (clear errors with a JSON pointer) and its meaning on the store."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from contacthub_server.query import QueryError, parse_query, parse_query_string
from contacthub_server.store import Store


def simple(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "query",
        "query": {"type": "simple", "name": "query", "are": {"condition": condition}},
    }


def atomic(attribute: str, operator: str, value: Any = None) -> dict[str, Any]:
    cond: dict[str, Any] = {"type": "atomic", "attribute": attribute, "operator": operator}
    if value is not None:
        cond["value"] = value
    return cond


@pytest.mark.parametrize(
    ("document", "message", "pointer"),
    [
        ([1], "must be a JSON object", ""),
        ({"name": "q"}, 'needs "query"', ""),
        ({"name": "q", "query": "base.firstName = 'x'"}, "must be a JSON object", "/query"),
        ({"name": "q", "query": {"type": "weird"}}, "query type", "/query/type"),
        (
            simple(atomic("base.firstName", "LIKE", "x")),
            "unknown operator",
            "/query/are/condition/operator",
        ),
        (simple(atomic("base.firstName", "EQUALS")), "needs a value", "/query/are/condition/value"),
        (simple(atomic("base.firstName", "EQUALS", ["a"])), "use IN", "/query/are/condition/value"),
        (
            simple(atomic("base.dob", "BETWEEN", ["2020-01-01"])),
            "two items",
            "/query/are/condition/value",
        ),
        (simple(atomic("base.dob", "BETWEEN", [1, "a"])), "one kind", "/query/are/condition/value"),
        (simple(atomic("base.x", "GT", True)), "not booleans", "/query/are/condition/value"),
        (
            simple(atomic("base.x", "IN", [1, {"a": 1}])),
            "string, number or boolean",
            "/query/are/condition/value/1",
        ),
        (
            simple(atomic("base.first'Name", "EQUALS", "x")),
            "segment",
            "/query/are/condition/attribute",
        ),
        (
            simple(atomic("nosuch.field", "EQUALS", "x")),
            "unknown attribute",
            "/query/are/condition/attribute",
        ),
        (simple(atomic("", "EQUALS", "x")), "dotted path", "/query/are/condition/attribute"),
        (
            simple(
                {"type": "composite", "conjunction": "AND", "conditions": [atomic("id", "IS_NULL")]}
            ),
            '"and" or "or"',
            "/query/are/condition/conjunction",
        ),
        (
            simple({"type": "composite", "conjunction": "or", "conditions": []}),
            "non-empty list",
            "/query/are/condition/conditions",
        ),
        (
            simple(
                {
                    "type": "composite",
                    "conjunction": "or",
                    "conditions": [{"type": "atomic", "attribute": "id", "operator": "NOPE"}],
                }
            ),
            "unknown operator",
            "/query/are/condition/conditions/0/operator",
        ),
        (
            {"query": {"type": "combined", "conjunction": "intersect", "queries": []}},
            "INTERSECT, UNION or EXCEPT",
            "/query/conjunction",
        ),
        ({"query": {"type": "simple", "are": {}}}, "are.condition", "/query/are"),
    ],
)
def test_malformed_queries_say_what_is_wrong_and_where(
    document: Any, message: str, pointer: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(document)
    assert message in caught.value.message
    assert caught.value.pointer == pointer


def test_query_text_that_is_not_json_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="not valid JSON"):
        parse_query_string('{"name": "query", ')
    parsed = parse_query_string(json.dumps(simple(atomic("base.firstName", "EQUALS", "Mario"))))
    assert parsed.name == "query"


def test_a_value_given_with_is_null_is_ignored() -> None:
    parsed = parse_query(simple(atomic("base.pictureUrl", "IS_NOT_NULL", "")))
    assert parsed.root.condition.values == ()  # type: ignore[union-attr]


# -- meaning, on both backends ---------------------------------------------------------------


@pytest.fixture(scope="module")
def store(database_url: str) -> Iterator[Store]:
    opened = Store.connect(database_url)
    yield opened
    opened.close()


def people() -> list[dict[str, Any]]:
    def person(n: int, **fields: Any) -> dict[str, Any]:
        return {
            "id": f"c{n}",
            "nodeId": "node",
            "externalId": None,
            "registeredAt": f"2020-01-0{n}T00:00:00.000+0000",
            "updatedAt": f"2020-01-0{n}T00:00:00.000+0000",
            "tags": {"auto": [], "manual": []},
            "extended": None,
            **fields,
        }

    return [
        person(
            1,
            base={
                "firstName": "Mario",
                "dob": "1980-05-01",
                "jobs": [{"companyName": "ACME"}, {"companyName": "Initech"}],
            },
            tags={"auto": ["vip", "new"], "manual": []},
        ),
        person(
            2,
            base={"firstName": "Luigi", "dob": "1985-01-01", "jobs": []},
            extended={"score": 7, "when": "2020-06-01T10:00:00Z"},
        ),
        person(
            3,
            base={"firstName": "mario", "dob": None, "jobs": [{"companyName": "ACME"}]},
            extended={"score": 7.5, "when": "2020-06-01T12:00:00.000+02:00"},
        ),
        person(4, base={"firstName": None, "jobs": None}, tags={"auto": ["vip"], "manual": ["x"]}),
    ]


@pytest.fixture
def ws(store: Store) -> str:
    workspace = f"ws-{uuid.uuid4()}"
    with store.write() as tx:
        for doc in people():
            tx.insert_customer(workspace, doc, None)
    return workspace


def found(store: Store, ws: str, document: dict[str, Any]) -> list[str]:
    with store.read() as tx:
        docs, total = tx.search_customers(ws, "node", query=parse_query(document), size=50)
    assert total == len(docs)
    return [doc["id"] for doc in docs]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (atomic("base.firstName", "EQUALS", "Mario"), ["c1"]),
        (atomic("base.firstName", "NOT_EQUALS", "Mario"), ["c2", "c3", "c4"]),
        (atomic("tags.auto", "IN", "vip"), ["c1", "c4"]),
        (atomic("tags.auto", "EQUALS", "new"), ["c1"]),
        (atomic("tags.auto", "NOT_IN", ["new", "x"]), ["c2", "c3", "c4"]),
        (atomic("base.firstName", "IN", ["Luigi", "mario"]), ["c2", "c3"]),
        (atomic("base.jobs.companyName", "EQUALS", "ACME"), ["c1", "c3"]),
        (atomic("base.jobs", "IS_NULL"), ["c2", "c4"]),
        (atomic("base.dob", "IS_NOT_NULL"), ["c1", "c2"]),
        (atomic("base.dob", "BETWEEN", ["1980-05-01T00:00:00Z", "1985-01-01"]), ["c1", "c2"]),
        (atomic("base.dob", "GT", "1980-05-01T00:00:00.000+0000"), ["c2"]),
        (atomic("extended.when", "EQUALS", "2020-06-01T10:00:00.000+0000"), ["c2", "c3"]),
        (atomic("extended.score", "GTE", 7), ["c2", "c3"]),
        (atomic("extended.score", "LT", 7.5), ["c2"]),
        (atomic("registeredAt", "LTE", "2020-01-02"), ["c1", "c2"]),
        (atomic("id", "IN", ["c4", "c1"]), ["c1", "c4"]),
        (atomic("base.firstName", "GT", "M"), ["c1", "c3"]),
        (
            {
                "type": "composite",
                "conjunction": "and",
                "conditions": [
                    atomic("tags.auto", "IN", "vip"),
                    {
                        "type": "composite",
                        "conjunction": "or",
                        "conditions": [
                            atomic("base.firstName", "IS_NULL"),
                            atomic("base.dob", "LT", "1990-01-01"),
                        ],
                    },
                ],
            },
            ["c1", "c4"],
        ),
    ],
)
def test_conditions_select_the_right_customers(
    store: Store, ws: str, condition: dict[str, Any], expected: list[str]
) -> None:
    assert found(store, ws, simple(condition)) == expected


def test_combined_queries_nest(store: Store, ws: str) -> None:
    def q(cond: dict[str, Any]) -> dict[str, Any]:
        return {"type": "simple", "name": "query", "are": {"condition": cond}}

    document = {
        "name": "query",
        "query": {
            "type": "combined",
            "conjunction": "EXCEPT",
            "queries": [
                {
                    "type": "combined",
                    "conjunction": "UNION",
                    "queries": [
                        q(atomic("tags.auto", "IN", "vip")),
                        q(atomic("extended.score", "IS_NOT_NULL")),
                    ],
                },
                q(atomic("base.firstName", "EQUALS", "Luigi")),
                q(atomic("tags.manual", "IN", ["x"])),
            ],
        },
    }
    assert found(store, ws, document) == ["c1", "c3"]
    document["query"]["conjunction"] = "INTERSECT"  # type: ignore[index]
    assert found(store, ws, document) == []


def test_query_combines_with_sort_and_paging(store: Store, ws: str) -> None:
    with store.read() as tx:
        docs, total = tx.search_customers(
            ws,
            "node",
            query=parse_query(simple(atomic("base.firstName", "IS_NOT_NULL"))),
            sort=[("base.firstName", False)],
            page=1,
            size=2,
        )
    assert total == 3
    assert [doc["id"] for doc in docs] == ["c2"]
