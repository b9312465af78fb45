"""Concurrent writes to one customer over HTTP: no update is lost, on either backend."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from hubclient import Api

from contacthub.testing import Hub


def test_concurrent_item_adds_to_one_customer_are_all_kept(hub: Hub, api: Api) -> None:
    customer = api.customer(externalId="busy")
    url = f"{api.url}/customers/{customer['id']}/likes"

    def add(i: int) -> int:
        reply = requests.post(
            url, json={"id": f"l{i}", "name": "x"}, headers=hub.headers, timeout=30
        )
        return reply.status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(add, range(24)))
    assert statuses == [200] * 24
    likes = api("GET", f"/customers/{customer['id']}").json()["base"]["likes"]
    assert sorted(like["id"] for like in likes) == sorted(f"l{i}" for i in range(24))


def test_concurrent_patches_of_different_properties_are_all_kept(hub: Hub, api: Api) -> None:
    customer = api.customer(externalId="patched")
    url = f"{api.url}/customers/{customer['id']}"

    def patch(i: int) -> int:
        body = {"extended": {f"k{i}": i}}
        return requests.patch(url, json=body, headers=hub.headers, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(patch, range(24)))
    assert statuses == [200] * 24
    extended = api("GET", f"/customers/{customer['id']}").json()["extended"]
    assert extended == {f"k{i}": i for i in range(24)}
