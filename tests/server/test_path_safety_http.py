"""An id never reaches another resource, and no stored document makes an endpoint fail.

Regressions of the attack run (issue 8): `remove_like(id, "..")` used to delete the whole
customer (the client collapsed `…/likes/..` to `…/customers/{id}/`, the hub redirected the
trailing slash with a 307, the client followed it with DELETE); a `null` in a base list made
every item endpoint of that customer answer 500; the Bearer scheme was not checked by any test.
"""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import pytest
from hubclient import Api, assert_error

from contacthub import APIError, Node
from contacthub.testing import Hub

KINDS = ("educations", "likes", "jobs", "subscriptions")


def raw(hub: Hub, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """Send a request whose path goes out exactly as written (no dot-segment collapsing)."""
    url = urlsplit(hub.workspace_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        connection.request(method, url.path + path, headers=dict(hub.headers))
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize("bad", [".", "..", "a/b"])
@pytest.mark.parametrize("kind", KINDS)
def test_item_ids_that_are_not_one_url_segment_are_refused(api: Api, kind: str, bad: str) -> None:
    customer = api.customer(base={"firstName": "Ada"})
    body = assert_error(api("POST", f"/customers/{customer['id']}/{kind}", json={"id": bad}), 400)
    assert [e["path"] for e in body["errors"]] == ["/id"]
    refused = assert_error(
        api("POST", "/customers", json={"nodeId": api.hub.node_id, "base": {kind: [{"id": bad}]}}),
        400,
    )
    assert [e["path"] for e in refused["errors"]] == [f"/base/{kind}/0/id"]


@pytest.mark.parametrize(
    "suffix",
    [
        "likes/..",
        "likes/.",
        "likes/%2E%2E",
        "jobs/%2e",
        "sessions/..",
        "sessions/%2E%2E",
        "sources/..",
        "educations/%2E%2E",
    ],
)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_dot_segment_in_the_path_never_reaches_the_customer(
    api: Api, hub: Hub, suffix: str, method: str
) -> None:
    customer = api.customer(base={"firstName": "Ada"})
    status, headers, _ = raw(hub, method, f"/customers/{customer['id']}/{suffix}")
    assert status in (400, 404, 405)
    assert "location" not in {name.lower() for name in headers}
    assert api("GET", f"/customers/{customer['id']}").status_code == 200


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "PATCH"])
def test_a_trailing_slash_is_a_404_never_a_redirect(api: Api, hub: Hub, method: str) -> None:
    customer = api.customer(base={"firstName": "Ada"})
    status, headers, body = raw(hub, method, f"/customers/{customer['id']}/")
    assert status == 404
    assert "location" not in {name.lower() for name in headers}
    assert b'"logref"' in body
    assert api("GET", f"/customers/{customer['id']}").status_code == 200


def test_the_sdk_sends_dot_ids_as_one_segment_and_the_customer_survives(node: Node) -> None:
    customer = node.add_customer(base={"firstName": "Ada"})
    for bad in ("..", "."):
        with pytest.raises(APIError) as error:
            node.remove_like(customer.id, bad)
        assert error.value.status_code == 400
        with pytest.raises(APIError):
            node.get_customer_session(customer.id, bad)
    assert node.get_customer(id=customer.id).base.firstName == "Ada"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "value", [None, [None], [{"id": "a"}, None]], ids=["list", "item", "second"]
)
def test_nulls_in_base_lists_are_refused_on_every_write(api: Api, kind: str, value: Any) -> None:
    node = api.hub.node_id
    assert_error(api("POST", "/customers", json={"nodeId": node, "base": {kind: value}}), 400)
    customer = api.customer(base={"firstName": "Ada"})
    url = f"/customers/{customer['id']}"
    assert_error(api("PATCH", url, json={"base": {kind: value}}), 400)
    assert_error(api("PUT", url, json={"nodeId": node, "base": {kind: value}}), 400)


@pytest.mark.parametrize("kind", KINDS)
def test_a_stored_null_item_from_an_older_hub_breaks_no_endpoint(
    api: Api, hub: Hub, kind: str
) -> None:
    customer = api.customer(base={"firstName": "Ada", kind: [{"id": "keep"}]})
    store = hub.server.app.store
    with store.write() as tx:
        doc = tx.get_customer(hub.workspace_id, customer["id"])
        doc["base"][kind] = [None, *doc["base"][kind], None]
        tx.replace_customer(hub.workspace_id, doc, None)
    url = f"/customers/{customer['id']}/{kind}"
    assert api("GET", f"{url}/keep").status_code == 200
    assert api("POST", url, json={"id": "new"}).status_code in (200, 201)
    assert_error(api("GET", f"{url}/missing"), 404)
    assert api("DELETE", f"{url}/keep").status_code == 200
    stored = api("GET", f"/customers/{customer['id']}").json()["base"][kind]
    assert [item["id"] for item in stored] == ["new"]


def test_only_the_bearer_scheme_opens_the_api(api: Api, hub: Hub) -> None:
    import requests

    for header in (f"Basic {hub.token}", hub.token, f"Token {hub.token}", "Bearer"):
        reply = requests.get(
            f"{hub.workspace_url}/customers",
            params={"nodeId": hub.node_id},
            headers={"Authorization": header},
            timeout=10,
        )
        assert_error(reply, 401)
    assert api("GET", "/customers", params={"nodeId": hub.node_id}).status_code == 200
