"""Listing customers over HTTP (§2.1, §10.7): externalId, sort, fields projection."""

from __future__ import annotations

from typing import Any

from hubclient import Api, assert_error


def listed(api: Api, **params: Any) -> list[dict[str, Any]]:
    reply = api("GET", "/customers", params={"nodeId": api.hub.node_id, **params})
    assert reply.status_code == 200, reply.text
    elements: list[dict[str, Any]] = reply.json()["elements"]
    return elements


def test_external_id_filter_is_exact_and_may_match_several(api: Api) -> None:
    a = api.customer(externalId="shared")
    b = api.customer(externalId="shared")
    api.customer(externalId="shared-not")
    assert [c["id"] for c in listed(api, externalId="shared")] == [a["id"], b["id"]]
    assert listed(api, externalId="SHARED") == []


def test_sort_by_property_either_direction_case_insensitive(api: Api) -> None:
    for name in ("Bea", "Ada", "Cy"):
        api.customer(base={"firstName": name})

    def names(*sorts: str) -> list[str]:
        return [c["base"]["firstName"] for c in listed(api, sort=list(sorts))]

    assert names("base.firstName") == ["Ada", "Bea", "Cy"]
    assert names("base.firstName,asc") == ["Ada", "Bea", "Cy"]
    assert names("base.firstName,desc") == ["Cy", "Bea", "Ada"]
    assert names("base.firstName,DESC") == ["Cy", "Bea", "Ada"]
    assert names("registeredAt,desc") == ["Cy", "Ada", "Bea"]


def test_repeated_sort_parameters_apply_in_order(api: Api) -> None:
    api.customer(base={"firstName": "Ada", "lastName": "Z"})
    api.customer(base={"firstName": "Ada", "lastName": "A"})
    api.customer(base={"firstName": "Bob", "lastName": "M"})
    found = listed(api, sort=["base.firstName,desc", "base.lastName,asc"])
    assert [(c["base"]["firstName"], c["base"]["lastName"]) for c in found] == [
        ("Bob", "M"),
        ("Ada", "A"),
        ("Ada", "Z"),
    ]


def test_bad_sort_is_400(api: Api) -> None:
    for bad in (",desc", "base..firstName", "base.first name", "a;drop table customers"):
        reply = api("GET", "/customers", params={"nodeId": api.hub.node_id, "sort": bad})
        error = assert_error(reply, 400)
        assert error["errors"][0]["path"] == "sort"


def test_fields_projection_answers_id_and_the_asked_paths_only(api: Api) -> None:
    # §8 fields projection: as a search engine's source filter, no null placeholders.
    created = api.customer(
        externalId="e",
        base={
            "firstName": "Ada",
            "lastName": "Lovelace",
            "contacts": {"email": "ada@example.com", "phone": "1"},
        },
        tags={"auto": [], "manual": ["vip"]},
    )
    (doc,) = listed(api, fields="base.firstName,base.contacts.email")
    assert doc == {
        "id": created["id"],
        "base": {"firstName": "Ada", "contacts": {"email": "ada@example.com"}},
    }
    (doc,) = listed(api, fields=["tags", "externalId"])
    assert doc == {"id": created["id"], "externalId": "e", "tags": {"auto": [], "manual": ["vip"]}}
    # A path without a value (absent, or null in the stored customer) is left out.
    (doc,) = listed(api, fields="base.noSuchThing,base.middleName,extended,base.contacts.fax")
    assert doc == {"id": created["id"]}
    # A shorter path wins over a longer one, in either order.
    (doc,) = listed(api, fields="base.contacts.email,base.contacts")
    assert doc["base"]["contacts"] == created["base"]["contacts"]


def test_fields_through_lists_keep_each_item_with_the_asked_properties(api: Api) -> None:
    created = api.customer(
        externalId="jobs",
        base={
            "firstName": "Ada",
            "jobs": [
                {"id": "j1", "companyName": "A", "jobTitle": "T1", "isCurrent": True},
                {"id": "j2", "companyName": "B", "jobTitle": "T2"},
                {"id": "j3", "jobTitle": "T3"},
            ],
        },
    )
    (doc,) = listed(api, fields="base.jobs.companyName,base.jobs.isCurrent")
    # Items with none of the asked properties are left out, as a source filter does.
    assert doc == {
        "id": created["id"],
        "base": {"jobs": [{"companyName": "A", "isCurrent": True}, {"companyName": "B"}]},
    }
    (doc,) = listed(api, fields="base.jobs.startDate")
    assert doc == {"id": created["id"]}


def test_bad_fields_is_400(api: Api) -> None:
    reply = api("GET", "/customers", params={"nodeId": api.hub.node_id, "fields": "base..x"})
    assert assert_error(reply, 400)["errors"][0]["path"] == "fields"


def test_lists_are_per_node(api: Api) -> None:
    other = api.hub.server.provision(workspace_id=api.hub.workspace_id, token=api.hub.token)
    api.customer(externalId="here")
    reply = api("POST", "/customers", json={"nodeId": other.node_id, "externalId": "there"})
    assert reply.status_code == 201
    assert [c["externalId"] for c in listed(api)] == ["here"]
    there = api("GET", "/customers", params={"nodeId": other.node_id}).json()["elements"]
    assert [c["externalId"] for c in there] == ["there"]


def test_a_customer_lacking_the_sorted_attribute_comes_last_in_both_directions(api: Api) -> None:
    # §8 Ordering: missing and null values sort last, ascending and descending alike, as the
    # search engine behind the hosted API orders them; ties keep registeredAt order.
    missing = api.customer(externalId="missing", base={"lastName": "M"})
    null = api.customer(base={"firstName": None, "lastName": "N"}, extended={"score": None})
    bea = api.customer(externalId="bea", base={"firstName": "Bea"}, extended={"score": 2})
    ada = api.customer(externalId="ada", base={"firstName": "Ada"}, extended={"score": 10})

    def order(sort: str) -> list[str]:
        return [c["id"] for c in listed(api, sort=sort)]

    lacking = [missing["id"], null["id"]]
    assert order("base.firstName,asc") == [ada["id"], bea["id"], *lacking]
    assert order("base.firstName,desc") == [bea["id"], ada["id"], *lacking]
    assert order("extended.score,asc") == [bea["id"], ada["id"], *lacking]
    assert order("extended.score,desc") == [ada["id"], bea["id"], *lacking]
    # externalId is a column of its own: the same rule holds for it.
    assert order("externalId,asc") == [ada["id"], bea["id"], missing["id"], null["id"]]
    assert order("externalId,desc") == [missing["id"], bea["id"], ada["id"], null["id"]]
