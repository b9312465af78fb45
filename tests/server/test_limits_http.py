"""Every limit the hub sets is a 400 naming it, on both backends, never a 500 (issue 8's attack run)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubclient import Api, assert_error

from contacthub_server.api.params import MAX_SORT_KEYS
from contacthub_server.query.parse import MAX_NESTING
from contacthub_server.schemas.paths import MAX_PATH_SEGMENTS
from contacthub_server.store import query_sql


def atomic(
    value: Any, attribute: str = "base.firstName", operator: str = "EQUALS"
) -> dict[str, Any]:
    return {"type": "atomic", "attribute": attribute, "operator": operator, "value": value}


def simple(condition: dict[str, Any]) -> dict[str, Any]:
    return {"type": "simple", "name": "q", "are": {"condition": condition}}


def search(api: Api, **params: Any) -> Any:
    return api("GET", "/customers", params={"nodeId": api.hub.node_id, **params})


def query_text(query: dict[str, Any]) -> str:
    return json.dumps({"name": "q", "query": query})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"\\udc00"', "lone surrogate"),
        ('"a\\u0000"', "NUL character"),
        ("9" * 5000, "not valid JSON"),
    ],
    ids=["surrogate", "nul", "huge-integer"],
)
def test_query_values_that_cannot_be_compared_are_refused(
    api: Api, text: str, message: str
) -> None:
    api.customer(base={"firstName": "Ada"})
    raw = (
        '{"name":"q","query":{"type":"simple","are":{"condition":{"type":"atomic",'
        '"attribute":"base.firstName","operator":"EQUALS","value":' + text + "}}}}"
    )
    body = assert_error(search(api, query=raw), 400)
    assert message in body["message"]
    assert "sys." not in body["message"]


def test_nesting_is_limited_for_combined_queries_and_composites_together(api: Api) -> None:
    api.customer(base={"firstName": "Ada"})
    query = simple(atomic("Ada"))
    for _ in range(MAX_NESTING):
        query = {"type": "combined", "name": "q", "conjunction": "UNION", "queries": [query]}
    assert search(api, query=query_text(query)).status_code == 200
    too_deep = {"type": "combined", "name": "q", "conjunction": "UNION", "queries": [query]}
    assert (
        f"more than {MAX_NESTING} levels"
        in assert_error(search(api, query=query_text(too_deep)), 400)["message"]
    )
    condition = atomic("Ada")
    for _ in range(MAX_NESTING + 1):
        condition = {"type": "composite", "conjunction": "and", "conditions": [condition]}
    assert_error(search(api, query=query_text(simple(condition))), 400)
    for depth in (14, 16, 40):  # what used to overflow SQLite's parser
        deep = atomic("Ada")
        for _ in range(depth):
            deep = {"type": "composite", "conjunction": "or", "conditions": [deep, atomic("x")]}
        assert_error(search(api, query=query_text(simple(deep))), 400)


def test_paths_and_sort_keys_are_limited(api: Api) -> None:
    api.customer(base={"firstName": "Ada"})
    longest = ".".join(["extended"] + ["a"] * (MAX_PATH_SEGMENTS - 1))
    assert search(api, sort=longest).status_code == 200
    assert_error(search(api, sort=longest + ".a"), 400)
    assert_error(search(api, fields=longest + ".a"), 400)
    path_query = simple(atomic("x", attribute=longest + ".a"))
    assert_error(search(api, query=query_text(path_query)), 400)
    keys = [f"base.firstName{i}" for i in range(MAX_SORT_KEYS)]
    assert search(api, sort=keys).status_code == 200
    body = assert_error(search(api, sort=[*keys, "base.lastName"]), 400)
    assert body["errors"][0]["path"] == "sort"
    assert_error(search(api, sort=[f"base.f{i}" for i in range(400)]), 400)


@pytest.mark.parametrize("number", [2**63, 2**64, 2**70, -(2**63) - 1, 10**30])
def test_integers_beyond_64_bits_are_refused_never_rounded(api: Api, number: int) -> None:
    body = f'{{"nodeId": "{api.hub.node_id}", "extended": {{"big": {number}}}}}'
    reply = api("POST", "/customers", data=body, headers={"Content-Type": "application/json"})
    assert [e["path"] for e in assert_error(reply, 400)["errors"]] == ["/extended/big"]


def test_integers_within_64_bits_are_kept_exactly(api: Api) -> None:
    exact = 2**63 - 1
    body = f'{{"nodeId": "{api.hub.node_id}", "extended": {{"big": {exact}, "float": 1e21}}}}'
    reply = api("POST", "/customers", data=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == 201, reply.text
    stored = api("GET", f"/customers/{reply.json()['id']}").json()["extended"]
    assert stored["big"] == exact
    assert stored["float"] == 1e21


def test_tags_are_limited_like_the_other_sections(api: Api) -> None:
    many = [f"tag-{i}" for i in range(20_000)]
    refused = api(
        "POST",
        "/customers",
        json={"nodeId": api.hub.node_id, "externalId": "x", "tags": {"manual": many, "auto": []}},
    )
    assert [e["path"] for e in assert_error(refused, 400)["errors"]] == ["/tags"]
    customer = api.customer(externalId="y", tags={"manual": many[:100], "auto": []})
    patched = api("PATCH", f"/customers/{customer['id']}", json={"tags": {"manual": many}})
    assert_error(patched, 400)
    assert len(api("GET", f"/customers/{customer['id']}").json()["tags"]["manual"]) == 100


def _or_of(count: int, seed: int) -> dict[str, Any]:
    operators = ["EQUALS", "NOT_EQUALS", "GT", "LT", "IS_NULL", "IS_NOT_NULL"]
    conditions = [
        atomic(1, attribute=f"extended.f{n}", operator=operators[(seed >> n) % len(operators)])
        for n in range(count)
    ]
    return simple({"type": "composite", "conjunction": "or", "conditions": conditions})


def test_memory_stays_bounded_whatever_query_shapes_arrive(api: Api) -> None:
    """Distinct query shapes never pile up compiled statements (400 shapes once took 1 GB)."""
    store = api.hub.server.app.store
    engine_cache = store._engine._compiled_cache
    api.customer(base={"firstName": "Ada"}, extended={"f0": 1})
    search(api)  # the listing's own statements are compiled and cached once
    engine_before = len(engine_cache)
    big = query_sql.SEARCH_CACHE_MAX_CONDITIONS + 1
    query_sql._search_cache.clear()  # what earlier tests left would be pruned mid-test
    for seed in range(40):
        assert search(api, query=query_text(_or_of(big, seed))).status_code == 200
    small_before = len(query_sql._search_cache)
    assert small_before == 0  # the large shapes were kept nowhere
    for seed in range(3 * query_sql.SEARCH_CACHE_ENTRIES):
        reply = search(api, query=query_text(_or_of(4, seed)), sort=f"extended.f{seed % 7},desc")
        assert reply.status_code == 200
    # Large shapes are compiled per request and kept nowhere; small ones in the bounded cache.
    assert len(engine_cache) == engine_before
    cache = query_sql._search_cache  # pruned to its capacity when it passes capacity x 1.5
    assert len(cache) <= cache.capacity * (1 + cache.threshold)
    assert len(query_sql._search_cache) > small_before
    found = search(api, query=query_text(_or_of(big, 0))).json()  # extended.f0 EQUALS 1 or ...
    assert [c["id"] for c in found["elements"]] != []
