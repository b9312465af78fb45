"""Customer items over HTTP (§2.2): educations, likes, jobs, subscriptions in ``base.<kind>``."""

from __future__ import annotations

from typing import Any

import pytest
from hubclient import Api, assert_error

ITEMS: dict[str, tuple[dict[str, Any], int]] = {
    "educations": (
        {"id": "e1", "schoolType": "COLLEGE", "schoolName": "Uni", "startYear": 2000},
        200,
    ),
    "likes": ({"id": "l1", "category": "music", "name": "jazz"}, 200),
    "jobs": ({"id": "j1", "companyName": "ACME", "startDate": "2010-02-03"}, 200),
    "subscriptions": ({"id": "s1", "name": "news", "kind": "DIGITAL_MESSAGE"}, 201),
}


@pytest.fixture(params=sorted(ITEMS))
def kind(request: pytest.FixtureRequest) -> str:
    """Each kind of customer item."""
    return str(request.param)


def test_item_lifecycle_is_visible_in_the_customer(api: Api, kind: str) -> None:
    item, created_status = ITEMS[kind]
    customer = api.customer(externalId="with-items")
    path = f"/customers/{customer['id']}/{kind}"

    reply = api("POST", path, json=item)
    assert reply.status_code == created_status, reply.text
    stored = reply.json()
    assert stored["id"] == item["id"]
    assert all(stored[k] == v for k, v in item.items())

    assert api("GET", f"{path}/{item['id']}").json() == stored
    doc = api("GET", f"/customers/{customer['id']}").json()
    assert doc["base"][kind] == [stored]
    assert doc["updatedAt"] > customer["updatedAt"]

    name = "schoolName" if kind == "educations" else "companyName" if kind == "jobs" else "name"
    replacement = {"id": "ignored-in-favour-of-the-url", name: "renamed"}
    reply = api("PUT", f"{path}/{item['id']}", json=replacement)
    assert reply.status_code == 200, reply.text
    replaced = reply.json()
    assert replaced["id"] == item["id"]
    assert replaced[name] == "renamed"
    # PUT replaces the whole item: what was not sent is gone
    other_keys = [k for k in item if k not in ("id", name)]
    assert all(replaced.get(k) is None for k in other_keys)

    reply = api("DELETE", f"{path}/{item['id']}")
    assert reply.status_code == 200
    assert reply.content == b""
    assert api("GET", f"/customers/{customer['id']}").json()["base"][kind] == []
    assert_error(api("GET", f"{path}/{item['id']}"), 404)


def test_duplicate_item_id_is_409(api: Api, kind: str) -> None:
    item, _ = ITEMS[kind]
    customer = api.customer(externalId="dup")
    path = f"/customers/{customer['id']}/{kind}"
    api("POST", path, json=item)
    assert_error(api("POST", path, json=item), 409)


def test_unknown_item_or_customer_is_404(api: Api, kind: str) -> None:
    item, _ = ITEMS[kind]
    customer = api.customer(externalId="none")
    path = f"/customers/{customer['id']}/{kind}"
    singular = kind[:-1]
    assert_error(api("GET", f"{path}/nope"), 404, f"{singular} not found: nope")
    assert_error(api("PUT", f"{path}/nope", json=item), 404, f"{singular} not found: nope")
    assert_error(api("DELETE", f"{path}/nope"), 404, f"{singular} not found: nope")
    assert_error(
        api("POST", f"/customers/ghost/{kind}", json=item), 404, "customer not found: ghost"
    )


def test_an_item_posted_without_id_is_given_one(api: Api, kind: str) -> None:
    # The reference's item bodies require no id; every item of the list has one (docs/hub.md).
    body, created_status = ITEMS[kind]
    customer = api.customer(externalId="noid")
    reply = api("POST", f"/customers/{customer['id']}/{kind}", json={**body, "id": None})
    assert_error(reply, 400)  # null is no string: the id is absent, or a string
    body = {key: value for key, value in body.items() if key != "id"}
    reply = api("POST", f"/customers/{customer['id']}/{kind}", json=body)
    assert reply.status_code == created_status, reply.text
    item = reply.json()
    assert len(item["id"]) == 36
    assert api("GET", f"/customers/{customer['id']}/{kind}/{item['id']}").json() == item


def test_invalid_item_fields_are_400_with_pointers(api: Api) -> None:
    customer = api.customer(externalId="bad")
    reply = api(
        "POST",
        f"/customers/{customer['id']}/jobs",
        json={"id": "j", "startDate": "not a date", "isCurrent": "yes"},
    )
    error = assert_error(reply, 400)
    assert {"/startDate", "/isCurrent"} <= {e["path"] for e in error["errors"]}
