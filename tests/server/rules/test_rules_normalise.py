"""Response shape: every key present, unset scalars null, unset lists empty."""

from __future__ import annotations

import copy
import json

from contacthub_server.schemas.normalise import (
    BASE_KEYS,
    CUSTOMER_KEYS,
    EVENT_KEYS,
    ITEM_KEYS,
    normalise_customer,
    normalise_event,
    normalise_item,
)


def test_a_minimal_customer_gets_the_full_shape() -> None:
    doc = {
        "id": "c1",
        "nodeId": "n1",
        "base": {"contacts": {"email": "email@email.email"}},
        "extra": "Ciao",
        "tags": {"manual": ["x"]},
    }
    result = normalise_customer(doc)
    assert list(result) == list(CUSTOMER_KEYS)
    assert list(result["base"]) == list(BASE_KEYS)
    assert result["base"] == {
        "pictureUrl": None,
        "title": None,
        "prefix": None,
        "firstName": None,
        "lastName": None,
        "middleName": None,
        "gender": None,
        "dob": None,
        "locale": None,
        "timezone": None,
        "contacts": {
            "email": "email@email.email",
            "fax": None,
            "mobilePhone": None,
            "phone": None,
            "otherContacts": [],
            "mobileDevices": [],
        },
        "address": None,
        "credential": None,
        "educations": [],
        "likes": [],
        "socialProfile": None,
        "jobs": [],
        "subscriptions": [],
    }
    assert result["externalId"] is None
    assert result["extended"] is None
    assert result["consents"] is None
    assert result["tags"] == {"auto": [], "manual": ["x"]}
    assert result["enabled"] is True
    assert result["extra"] == "Ciao"


def test_a_customer_without_base_gets_an_empty_base_and_null_tags() -> None:
    result = normalise_customer({"id": "c", "nodeId": "n", "externalId": "01", "enabled": False})
    assert result["base"]["contacts"] is None
    assert result["base"]["likes"] == []
    assert result["tags"] is None
    assert result["enabled"] is False


def test_items_and_nested_objects_get_all_their_keys() -> None:
    doc = {
        "base": {
            "address": {"city": "Milano"},
            "credential": {"username": "m"},
            "socialProfile": {"twitter": "@m"},
            "jobs": [{"id": "j1", "companyName": "ACME"}],
            "subscriptions": [{"id": "s1"}],
        }
    }
    base = normalise_customer(doc)["base"]
    assert base["address"] == {
        "street": None,
        "city": "Milano",
        "country": None,
        "province": None,
        "region": None,
        "zip": None,
        "geo": None,
    }
    assert base["credential"] == {"username": "m", "password": None}
    assert base["socialProfile"]["twitter"] == "@m"
    assert base["socialProfile"]["facebook"] is None
    assert list(base["jobs"][0]) == list(ITEM_KEYS["jobs"])
    assert base["jobs"][0]["companyName"] == "ACME"
    assert base["subscriptions"][0]["preferences"] == []
    assert base["subscriptions"][0]["kind"] is None


def test_normalise_item_fills_every_key_of_its_kind() -> None:
    for kind, keys in ITEM_KEYS.items():
        item = normalise_item(kind, {"id": "i1"})
        assert list(item) == list(keys)
        assert item["id"] == "i1"


def test_normalising_is_idempotent_and_leaves_the_input_alone() -> None:
    doc = {"nodeId": "n", "base": {"contacts": {"email": "a@b.c"}}, "tags": {"auto": ["a"]}}
    before = copy.deepcopy(doc)
    once = normalise_customer(doc)
    assert normalise_customer(once) == once
    assert doc == before


def test_an_event_gets_every_key() -> None:
    doc = {"id": "e", "customerId": "c", "type": "viewedPage", "context": "WEB", "properties": {}}
    result = normalise_event(doc)
    assert list(result) == list(EVENT_KEYS)
    assert result["bringBackProperties"] is None
    assert result["tracking"] is None
    assert result["contextInfo"] == {}
    assert result["updatedAt"] is None
    assert normalise_event({"type": "loggedIn"})["properties"] == {}


def test_the_canonical_key_order_follows_the_contract_and_sorts_the_rest() -> None:
    from contacthub_server.schemas.normalise import ordered_customer

    stored = normalise_customer(
        {
            "id": "c",
            "base": {"jobs": [{"isCurrent": True, "id": "j"}], "address": {"zip": "1"}},
            "extended": {"b": {"z": 1, "a": [{"y": 1, "x": 2}]}, "a": 1},
        }
    )

    # What PostgreSQL's JSONB gives back: keys by length, then bytes, at every depth.
    def jsonb(value: object) -> object:
        if isinstance(value, dict):
            return {k: jsonb(value[k]) for k in sorted(value, key=lambda k: (len(k), k))}
        if isinstance(value, list):
            return [jsonb(item) for item in value]
        return value

    shuffled = jsonb(stored)
    assert isinstance(shuffled, dict)
    assert list(shuffled) != list(stored)
    before = json.dumps(shuffled)
    again = ordered_customer(shuffled)
    assert json.dumps(again) == json.dumps(stored)
    assert json.dumps(shuffled) == before  # the input is not modified
    assert list(again["base"]["jobs"][0]) == list(ITEM_KEYS["jobs"])
    assert list(again["base"]["address"]) == [
        "street", "city", "country", "province", "region", "zip", "geo"
    ]  # fmt: skip
    assert list(again["extended"]) == ["a", "b"]
    assert list(again["extended"]["b"]["a"][0]) == ["x", "y"]
