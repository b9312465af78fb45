"""The HTTP protocol of the hub: auth, envelopes, paging, unknown routes, bad bodies, CORS."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub

UNAUTHORIZED = "The client is not authorized to access the API"


# -- auth -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}, {"Authorization": ""}],
)
def test_missing_or_wrong_token_is_401(hub: Hub, headers: dict[str, str]) -> None:
    url = f"{hub.workspace_url}/customers"
    reply = requests.get(url, params={"nodeId": hub.node_id}, headers=headers, timeout=10)
    assert_error(reply, 401, UNAUTHORIZED)


def test_a_token_never_reaches_another_workspace(hub: Hub) -> None:
    other = hub.server.provision()
    mine = {"Authorization": f"Bearer {hub.token}"}
    url = f"{hub.base_url}/workspaces/{other.workspace_id}/customers"
    reply = requests.get(url, params={"nodeId": other.node_id}, headers=mine, timeout=10)
    assert_error(reply, 403, f"workspace not found: {other.workspace_id}")
    reply = requests.post(url, json={"nodeId": other.node_id, "externalId": "x"}, headers=mine)
    assert_error(reply, 403)
    theirs = {"Authorization": f"Bearer {other.token}"}
    reply = requests.get(url, params={"nodeId": other.node_id}, headers=theirs, timeout=10)
    assert reply.status_code == 200


def test_customers_of_one_workspace_are_invisible_from_another(hub: Hub, api: Api) -> None:
    created = api.customer(externalId="private")
    other = hub.server.provision()
    url = f"{hub.base_url}/workspaces/{other.workspace_id}/customers/{created['id']}"
    reply = requests.get(url, headers={"Authorization": f"Bearer {other.token}"}, timeout=10)
    assert_error(reply, 404)


def test_unknown_headers_are_ignored_and_cors_is_open(api: Api) -> None:
    reply = api(
        "GET",
        "/customers",
        params={"nodeId": api.hub.node_id},
        headers={"Origin": "https://example.org", "X-Tracing-ID": "t", "Contactlab-ClientId": "c"},
    )
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == "*"
    preflight = requests.options(
        f"{api.url}/customers",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
        timeout=10,
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# -- routes and methods ---------------------------------------------------------------------
def test_unknown_route_is_a_404_envelope(api: Api, hub: Hub) -> None:
    assert_error(api("GET", "/nothing-here"), 404)
    assert_error(requests.get(f"{hub.url}/somewhere", timeout=10), 404)


def test_wrong_method_is_a_405_envelope(api: Api) -> None:
    reply = api("DELETE", "/customers")
    assert_error(reply, 405, "Request method 'DELETE' not supported")
    assert set(reply.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert_error(api("PATCH", "/events"), 405)


# -- bodies ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "a JSON body is required"),
        (b"   ", "a JSON body is required"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_malformed_bodies_are_400(api: Api, data: bytes, fragment: str) -> None:
    for path in ("/customers", "/events"):
        error = assert_error(api("POST", path, data=data), 400)
        assert fragment in error["message"]


def test_wrong_types_are_400_not_500(api: Api) -> None:
    bodies: list[Any] = [
        {"nodeId": 5, "externalId": "x"},
        {"nodeId": api.hub.node_id, "base": "not an object"},
        {"nodeId": api.hub.node_id, "base": {"contacts": []}},
        {"nodeId": api.hub.node_id, "externalId": {"a": 1}},
        {"nodeId": api.hub.node_id, "tags": {"manual": [1, 2]}, "externalId": "x"},
    ]
    for body in bodies:
        assert_error(api("POST", "/customers", json=body), 400)


def test_oversized_body_is_413(api: Api, hub: Hub) -> None:
    limit = hub.server.settings.max_body_bytes
    big = {"nodeId": hub.node_id, "extra": "x" * (limit + 10)}
    assert_error(api("POST", "/customers", json=big), 413)

    def chunks() -> Any:  # no Content-Length: the limit holds for streamed bodies too
        yield b'{"extra": "'
        for _ in range(limit // 65536 + 2):
            yield b"y" * 65536
        yield b'"}'

    assert_error(api("POST", "/customers", data=chunks()), 413)


# -- paging ---------------------------------------------------------------------------------
def test_page_envelope_and_edges(api: Api) -> None:
    for i in range(12):
        api.customer(externalId=f"p{i:02d}")

    def page(**params: Any) -> dict[str, Any]:
        reply = api("GET", "/customers", params={"nodeId": api.hub.node_id, **params})
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result

    first = page()
    assert len(first["elements"]) == 10
    assert first["page"] == {
        "size": 10,
        "totalElements": 12,
        "totalUnfilteredElements": 0,
        "totalPages": 2,
        "number": 0,
    }
    second = page(page=1)
    assert len(second["elements"]) == 2
    # registeredAt order by default: the two pages together are every customer once, in order
    names = [c["externalId"] for c in first["elements"] + second["elements"]]
    assert names == [f"p{i:02d}" for i in range(12)]
    past = page(page=7)
    assert past["elements"] == []
    assert past["page"]["number"] == 7
    assert past["page"]["totalElements"] == 12
    assert len(page(size=50)["elements"]) == 12
    assert len(page(size=1)["elements"]) == 1


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"size": 51}, "size"),
        ({"size": 0}, "size"),
        ({"size": "ten"}, "size"),
        ({"page": -1}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "9" * 40}, "page"),
    ],
)
def test_bad_page_or_size_is_400(api: Api, params: dict[str, Any], name: str) -> None:
    for path, extra in (("/customers", {"nodeId": api.hub.node_id}), ("/events", {})):
        error = assert_error(api("GET", path, params={**extra, **params}), 400)
        assert error["errors"][0]["path"] == name


def test_list_without_node_is_400_and_unknown_node_404(api: Api) -> None:
    error = assert_error(api("GET", "/customers"), 400)
    assert error["errors"][0]["path"] == "nodeId"
    assert_error(api("GET", "/customers", params={"nodeId": "fake"}), 404, "node not found fake")


def test_openapi_document_is_served(hub: Hub) -> None:
    reply = requests.get(f"{hub.base_url}/openapi.json", timeout=10)
    assert reply.status_code == 200
    document = reply.json()
    assert document["openapi"].startswith("3.")
    assert any("/customers" in path for path in document["paths"])


def test_absurdly_nested_bodies_are_400_not_500(api: Api) -> None:
    deep = "{}"
    for _ in range(500):
        deep = '{"a":' + deep + "}"
    customer = api.customer(externalId="deep")
    replies = [
        api("POST", "/customers", data=f'{{"nodeId":"{api.hub.node_id}","extended":{deep}}}'),
        api("PATCH", f"/customers/{customer['id']}", data=f'{{"extended":{deep}}}'),
        api(
            "POST",
            "/events",
            data=f'{{"type":"viewedPage","context":"WEB","customerId":"{customer["id"]}",'
            f'"properties":{deep}}}',
        ),
    ]
    for reply in replies:
        error = assert_error(reply, 400)
        assert "nested more than 100 levels deep" in error["message"]
    # a document nested within the limit is fine
    shallow = "{}"
    for _ in range(20):
        shallow = '{"a":' + shallow + "}"
    reply = api("PATCH", f"/customers/{customer['id']}", data=f'{{"extended":{shallow}}}')
    assert reply.status_code == 200


def test_nul_characters_in_ids_and_parameters_are_400(api: Api) -> None:
    for path, params in (
        ("/customers/a%00b", {}),
        ("/events/%00", {}),
        ("/customers", {"nodeId": "\x00"}),
        ("/customers", {"nodeId": api.hub.node_id, "externalId": "x\x00"}),
        ("/events", {"customerId": "\x00"}),
        ("/events", {"type": "viewedPage,\x00"}),
    ):
        error = assert_error(api("GET", path, params=params), 400)
        assert "NUL" in error["message"]
