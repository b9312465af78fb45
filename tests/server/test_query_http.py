"""The query language over HTTP: `GET …/customers?query=` on a running hub, every backend."""

from __future__ import annotations

import json
from typing import Any

from hubclient import Api, assert_error


def simple(condition: dict[str, Any]) -> dict[str, Any]:
    return {"type": "simple", "name": "query", "are": {"condition": condition}}


def atomic(attribute: str, operator: str, value: Any = None) -> dict[str, Any]:
    cond: dict[str, Any] = {"type": "atomic", "attribute": attribute, "operator": operator}
    if value is not None:
        cond["value"] = value
    return cond


def search(api: Api, query: Any) -> Any:
    text = query if isinstance(query, str) else json.dumps({"name": "query", "query": query})
    return api("GET", "/customers", params={"nodeId": api.hub.node_id, "query": text})


def names(reply: Any) -> list[str]:
    assert reply.status_code == 200, reply.text
    return [doc["base"]["firstName"] for doc in reply.json()["elements"]]


def test_a_malformed_query_is_a_400_saying_what_and_where(api: Api) -> None:
    reply = search(api, simple(atomic("base.firstName", "LIKES", "Mario")))
    body = assert_error(reply, 400)
    assert "unknown operator" in body["message"]
    assert "/query/are/condition/operator" in json.dumps(body["errors"])

    body = assert_error(search(api, '{"name": "query", "query": '), 400)
    assert "not valid JSON" in body["message"]

    body = assert_error(search(api, simple(atomic("base.dob", "BETWEEN", ["2000-01-01"]))), 400)
    assert "[from, to]" in body["message"]


def test_sql_in_a_path_is_refused_and_in_a_value_is_only_data(api: Api) -> None:
    api.customer(base={"firstName": "Mario"})
    injected = "base.firstName') OR 1=1; DROP TABLE customers; --"
    body = assert_error(search(api, simple(atomic(injected, "EQUALS", "x"))), 400)
    assert "segment" in body["message"]

    assert names(search(api, simple(atomic("base.firstName", "EQUALS", "x' OR '1'='1")))) == []
    assert names(search(api, simple(atomic("base.firstName", "EQUALS", "Mario")))) == ["Mario"]


def test_combined_query_over_http(api: Api) -> None:
    api.customer(
        base={"firstName": "Mario", "contacts": {"email": "mario@example.com"}},
        tags={"auto": ["vip"], "manual": []},
    )
    api.customer(
        base={"firstName": "Luigi", "contacts": {"email": "luigi@example.com"}},
        tags={"auto": ["vip", "new"], "manual": []},
    )
    api.customer(base={"firstName": "Peach", "contacts": {"email": "peach@example.com"}})
    query = {
        "type": "combined",
        "name": "query",
        "conjunction": "UNION",
        "queries": [
            simple(atomic("base.contacts.email", "EQUALS", "peach@example.com")),
            {
                "type": "combined",
                "name": "query",
                "conjunction": "EXCEPT",
                "queries": [
                    simple(atomic("tags.auto", "IN", "vip")),
                    simple(atomic("tags.auto", "IN", ["new"])),
                ],
            },
        ],
    }
    reply = search(api, query)
    assert names(reply) == ["Mario", "Peach"]
    assert reply.json()["page"]["totalElements"] == 2


def test_a_bare_query_is_refused_with_a_400_that_says_so(api: Api) -> None:
    # Every official client sends the {"name", "query"} document (§5.1): a bare query would pass
    # here and fail against the hosted API.
    api.customer(base={"firstName": "Mario"})
    query = simple(atomic("base.firstName", "EQUALS", "Mario"))
    body = assert_error(search(api, json.dumps(query)), 400)
    assert '{"name": ..., "query":' in body["message"]
    assert "bare query" in body["message"]
    assert body["errors"][0]["path"] == ""
    combined = {"type": "combined", "conjunction": "UNION", "queries": [query]}
    assert "bare query" in assert_error(search(api, json.dumps(combined)), 400)["message"]
    assert '"query"' in assert_error(search(api, '{"name": "q"}'), 400)["message"]
    assert names(search(api, query)) == ["Mario"]  # the same query, wrapped
    assert names(search(api, json.dumps({"name": "", "query": query}))) == ["Mario"]  # free text
    # The query schema the Java client ships requires "name"; every official client sends one.
    body = assert_error(search(api, json.dumps({"query": query})), 400)
    assert body["errors"][0]["path"] == "/name"
