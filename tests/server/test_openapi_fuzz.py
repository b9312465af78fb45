"""Property-based run of the hub against its own OpenAPI document (schemathesis).

Every operation of the document gets generated requests, valid and invalid, sent over real HTTP
to a live hub (on every backend). Each answer must not be a 5xx and must conform to the document:
a documented status code, content type and body schema. Path parameters are pointed at real
resources of the test's workspace (a customer with one item of each kind, a session, its source
and an event)
so the run reaches past the 404s into validation and storage.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation

from contacthub.testing import Hub
from contacthub_server.schemas import load_openapi
from contacthub_server.schemas.analytics import MAX_BUCKETS

# Bounded: at most this many generated requests per operation (valid and invalid ones), for
# each operation, on each backend. The coverage phase is left out to stay short.
# CONTACTHUB_FUZZ_EXAMPLES raises the bound for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("CONTACTHUB_FUZZ_EXAMPLES", "20"))

schema = schemathesis.openapi.from_dict(load_openapi())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    # NUL characters are refused by the hub (400) in every document, which the schemas do not
    # say; test_nul_characters_are_refused checks that on purpose instead.
    allow_x00=False,
)
# CONTACTHUB_FUZZ_PHASES=examples,coverage,fuzzing adds schemathesis' systematic coverage phase.
schema.config.phases.update(
    phases=os.environ.get("CONTACTHUB_FUZZ_PHASES", "examples,fuzzing").split(",")
)

ITEMS = {
    "educations": {"id": "edu-1", "schoolType": "COLLEGE"},
    "likes": {"id": "like-1", "name": "pizza"},
    "jobs": {"id": "job-1", "jobTitle": "engineer"},
    "subscriptions": {"id": "sub-1", "kind": "SERVICE"},
}


@dataclass
class Target:
    """The live hub and the real resources generated requests are pointed at."""

    hub: Hub
    session: requests.Session
    ids: dict[str, str] = field(default_factory=dict)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.session.post(self.hub.workspace_url + path, json=body, timeout=30)
        assert reply.status_code in (200, 201, 202), reply.text
        answer: dict[str, Any] = reply.json()
        return answer

    def create_customer(self) -> None:
        """A customer with one item of each kind, a session and an event (again after a DELETE)."""
        customer = self.post("/customers", {"nodeId": self.hub.node_id, "externalId": "fuzz"})
        cid = self.ids["customerId"] = customer["id"]
        self.reset_customer()
        self.ids["sessionId"] = self.post(f"/customers/{cid}/sessions", {"value": "s-1"})["id"]
        event = {"customerId": cid, "type": "loggedIn", "context": "WEB", "properties": {}}
        self.ids["eventId"] = self.post("/events", event)["id"]

    def reset_customer(self) -> None:
        """Put the customer back as created, so that no case depends on the ones before it."""
        body = {
            "nodeId": self.hub.node_id,
            "externalId": "fuzz",
            "base": {kind: [item] for kind, item in ITEMS.items()},
            "extended": {"fuzz": True},
        }
        url = f"{self.hub.workspace_url}/customers/{self.ids['customerId']}"
        reply = self.session.put(url, json=body, timeout=30)
        assert reply.status_code == 200, reply.text

    def aim(self, case: schemathesis.Case) -> None:
        """Point the case's path at the real workspace and resources, and its node at ours."""
        parameters = case.path_parameters or {}
        parameters["workspaceId"] = self.hub.workspace_id
        for name in ("customerId", "sessionId", "eventId"):
            if name in parameters:
                parameters[name] = self.ids[name]
        if "sourceId" in parameters:  # a customer's one source is its node
            parameters["sourceId"] = self.hub.node_id
        if "entryId" in parameters:  # the workspace's entry nodes are its nodes
            parameters["entryId"] = self.hub.node_id
        if "eventTypeId" in parameters:
            parameters["eventTypeId"] = "viewedPage"
        if "itemId" in parameters:
            kind = case.path.split("/")[-2]
            parameters["itemId"] = ITEMS[kind]["id"]
        # Only a well-formed node id is swapped, so invalid ones stay for the hub to refuse.
        for container in (case.body, case.query):
            node_id = container.get("nodeId") if isinstance(container, dict) else None
            if isinstance(container, dict) and isinstance(node_id, str) and node_id.strip():
                container["nodeId"] = self.hub.node_id
        # The analytics' comma list of nodes, likewise.
        nodes = case.query.get("nodes") if isinstance(case.query, dict) else None
        if isinstance(nodes, str) and nodes.strip(" ,"):
            case.query["nodes"] = self.hub.node_id


def beyond_storable_range(value: Any) -> bool:
    """Whether a generated document holds, anywhere (free-form parts such as ``extended``
    included), a number beyond the 64-bit integer range or a date-time in year 1 or 9999, whose
    offset may carry it outside the years 1 to 9999 once in UTC. The hub refuses those with a
    400 that the schemas (free-form objects, the date-time format) cannot express, so such a
    refusal is not a refusal of valid data."""
    if isinstance(value, dict):
        return any(beyond_storable_range(item) for item in value.values())
    if isinstance(value, list):
        return any(beyond_storable_range(item) for item in value)
    if isinstance(value, str):
        return value[:4] in ("0001", "9999") and len(value) > 10
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and not -(2**63) <= value < 2**63


def beyond_analytics_ranges(case: schemathesis.Case) -> bool:
    """Whether an analytics request's dates are refused for their order or their span: an
    ``endDate`` before ``startDate``, or a trend of more days than it may have buckets. The
    hub refuses those with a 400 that the document's date formats cannot express."""
    query = case.query if isinstance(case.query, dict) else {}
    if "/analytics/" not in case.path or not {"startDate", "endDate"} <= set(query):
        return False
    try:
        start = date.fromisoformat(str(query["startDate"]))
        end = date.fromisoformat(str(query["endDate"]))
    except ValueError:
        return False
    return end < start or ("/trend/" in case.path and (end - start).days >= MAX_BUCKETS)


def repeats_an_item_id(body: Any) -> bool:
    """Whether a generated customer repeats an item id within one of its ``base`` lists. The hub
    refuses that (ids address the items), which JSON Schema's ``uniqueItems`` cannot express for
    one key of the items, so such a refusal is not a refusal of valid data."""
    base = body.get("base") if isinstance(body, dict) else None
    if not isinstance(base, dict):
        return False
    for items in base.values():
        if isinstance(items, list):
            ids = [item.get("id") for item in items if isinstance(item, dict) and "id" in item]
            if len(ids) != len(set(map(repr, ids))):
                return True
    return False


def lacks_one_owner(path: str, body: Any) -> bool:
    """Whether a generated event has no owner or two (``customerId`` and
    ``bringBackProperties`` both given, or neither). The hub refuses that; the document says it
    in words only (as a schema it would multiply the event's branches past what the generator
    handles), so such a refusal is not a refusal of valid data."""
    if "/events" not in path or not isinstance(body, dict):
        return False
    owners = [key for key in ("customerId", "bringBackProperties") if body.get(key) is not None]
    return len(owners) != 1


@pytest.fixture
def target(hub: Hub) -> Iterator[Target]:
    """A workspace holding one of each resource, for this operation's generated requests."""
    with requests.Session() as session:
        session.headers.update(hub.headers)
        aimed = Target(hub, session)
        aimed.create_customer()
        yield aimed


def test_the_hub_serves_the_document_the_fuzzing_uses(hub: Hub) -> None:
    reply = requests.get(hub.base_url + "/openapi.json", timeout=30)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json() == load_openapi()


@pytest.mark.slow
@schema.parametrize()
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_every_generated_request_gets_a_documented_answer(
    case: schemathesis.Case, target: Target
) -> None:
    target.aim(case)
    if "customerId" in (case.path_parameters or {}):
        target.reset_customer()
    excluded = []
    # The query grammar (§5) is described in words, not as a schema: a generated `query` text is
    # almost never a valid query, so its 400 is expected, not a refusal of valid data.
    # A segment's body carries such a query too.
    segment_query = (
        "/segments" in case.path and isinstance(case.body, dict) and "query" in case.body
    )
    # A JSON schema is checked against its meta-schema, and a source priority must name the
    # workspace's sources: neither can be said in the document.
    configuration_rule = case.path.endswith("/properties/extended") or (
        isinstance(case.body, dict) and bool(case.body.get("sourcePriority"))
    )
    if (
        "query" in (case.query or {})
        or segment_query
        or configuration_rule
        or beyond_storable_range([case.body, case.query])
        or repeats_an_item_id(case.body)
        or lacks_one_owner(case.path, case.body)
        or beyond_analytics_ranges(case)
    ):
        excluded.append(positive_data_acceptance)
    # Query parameters are read leniently on purpose (an empty one counts as absent, spaces are
    # trimmed, directions and modes in any case, unknown ones ignored), so "invalid" ones may
    # rightly be accepted. Bodies get no such allowance: whatever breaks their schema must be
    # refused, also when the query of the same request is invalid too.
    meta = case.meta
    only_the_query = meta is not None and not meta.is_negative_at(ParameterLocation.BODY)
    if case.query and (case.method == "GET" or only_the_query):
        excluded.append(negative_data_rejection)
    reply = case.call_and_validate(
        base_url=target.hub.url,
        headers={"Authorization": f"Bearer {target.hub.token}"},
        excluded_checks=excluded,
        timeout=30,
    )
    deleted_customer = case.method == "DELETE" and case.path.endswith("/customers/{customerId}")
    if deleted_customer and reply.status_code == 200:
        target.create_customer()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/customers", {"externalId": "a\x00b"}),
        ("PATCH", "/customers/{customerId}", {"extended": {"k\x00": 1}}),
        ("POST", "/customers/{customerId}/likes", {"id": "l\x00"}),
        ("PUT", "/customers/{customerId}/jobs/job-1", {"jobTitle": "\x00"}),
        ("POST", "/customers/{customerId}/sessions", {"value": "\x00"}),
        ("POST", "/events", {"type": "loggedIn", "context": "WEB", "properties": {"x": "\x00"}}),
    ],
)
def test_nul_characters_in_documents_are_refused(
    target: Target, method: str, path: str, body: dict[str, Any]
) -> None:
    body = {"nodeId": target.hub.node_id, **body} if path == "/customers" else body
    if path == "/events":
        body = {"customerId": target.ids["customerId"], **body}
    url = target.hub.workspace_url + path.format(**target.ids)
    reply = target.session.request(method, url, json=body, timeout=30)
    assert reply.status_code == 400, reply.text
    assert "NUL" in reply.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"nodeId": "\x00"},
        {"nodeId": "{node}", "externalId": "\x00"},
        {"nodeId": "{node}", "sort": "base.firstName\x00"},
        {"nodeId": "{node}", "fields": "base.\x00"},
    ],
)
def test_nul_characters_in_customer_list_parameters_get_no_server_error(
    target: Target, params: dict[str, str]
) -> None:
    params = {key: value.format(node=target.hub.node_id) for key, value in params.items()}
    reply = target.session.get(target.hub.workspace_url + "/customers", params=params, timeout=30)
    assert reply.status_code < 500, reply.text


@pytest.mark.parametrize("name", ["customerId", "nodeId", "type", "context", "dateFrom"])
def test_nul_characters_in_event_list_parameters_get_no_server_error(
    target: Target, name: str
) -> None:
    reply = target.session.get(
        target.hub.workspace_url + "/events", params={name: "\x00"}, timeout=30
    )
    assert reply.status_code < 500, reply.text


@pytest.mark.parametrize(
    "path", ["/customers/\x00", "/events/\x00", "/customers/{customerId}/likes/\x00"]
)
def test_nul_characters_in_paths_get_no_server_error(target: Target, path: str) -> None:
    url = target.hub.workspace_url + path.replace("\x00", "%00").format(**target.ids)
    reply = target.session.get(url, timeout=30)
    assert reply.status_code < 500, reply.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/customers"),
        ("PUT", "/customers/{customerId}"),
        ("PATCH", "/customers/{customerId}"),
        ("POST", "/events"),
    ],
)
@pytest.mark.parametrize("levels", [80, 1000])
def test_deeply_nested_bodies_are_refused_not_crashed(
    target: Target, method: str, path: str, levels: int
) -> None:
    # 1000 is about as deep as the JSON parser accepts. Refused by the HTTP layer's own depth
    # limit or by validation (64 levels): either way a 400.
    nested = "[" * levels + "]" * levels
    owner = f'"customerId": "{target.ids["customerId"]}", "type": "loggedIn", "context": "WEB"'
    body = (
        f'{{{owner}, "properties": {{"a": {nested}}}}}'
        if path == "/events"
        else f'{{"nodeId": "{target.hub.node_id}", "extended": {{"a": {nested}}}}}'
    )
    url = target.hub.workspace_url + path.format(**target.ids)
    reply = target.session.request(method, url, data=body.encode(), timeout=30)
    assert reply.status_code == 400, reply.text
    assert "nested" in reply.json()["errors"][0]["message"]
