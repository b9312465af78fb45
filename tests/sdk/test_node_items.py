"""Node's education, job, like and subscription methods against a live hub over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contacthub import APIError, Customer, Education, Job, Like, Node, Subscription

# For each kind: the Node noun, the model class, the customer's list, an item, and a change.
KINDS: list[tuple[str, type, str, dict[str, Any], dict[str, Any]]] = [
    (
        "education",
        Education,
        "educations",
        {
            "id": "ed1",
            "schoolType": "COLLEGE",
            "schoolName": "Poli",
            "isCurrent": False,
            "startYear": 1994,
        },
        {"schoolName": "Bocconi"},
    ),
    (
        "job",
        Job,
        "jobs",
        {
            "id": "jb1",
            "companyName": "ACME",
            "jobTitle": "Engineer",
            "startDate": date(2015, 1, 2),
            "isCurrent": True,
        },
        {"jobTitle": "Lead"},
    ),
    (
        "like",
        Like,
        "likes",
        {"id": "lk1", "name": "Jazz", "category": "music"},
        {"name": "Blues"},
    ),
    (
        "subscription",
        Subscription,
        "subscriptions",
        {"id": "sb1", "name": "News", "kind": "DIGITAL_MESSAGE", "subscribed": True},
        {"subscribed": False},
    ),
]


@pytest.fixture
def customer(node: Node) -> Customer:
    return node.add_customer(base={"contacts": {"email": "items@example.com"}})


@pytest.mark.parametrize(
    ("noun", "model", "collection", "item", "change"), KINDS, ids=[k[0] for k in KINDS]
)
def test_add_get_update_remove_an_item(
    node: Node,
    customer: Customer,
    noun: str,
    model: type,
    collection: str,
    item: dict[str, Any],
    change: dict[str, Any],
) -> None:
    added = getattr(node, f"add_{noun}")(customer_id=customer.id, **item)
    assert isinstance(added, model)
    assert added.id == item["id"]
    stored = node.get_customer(id=customer.id)
    assert [entry.id for entry in getattr(stored.base, collection)] == [item["id"]]

    fetched = getattr(node, f"get_{noun}")(customer.id, item["id"])
    same = getattr(node, f"get_customer_{noun}")(
        customer_id=customer.id, **{f"{noun}_id": item["id"]}
    )
    assert isinstance(fetched, model)
    assert fetched.to_dict() == same.to_dict()
    field, value = next(iter(change.items()))

    updated = getattr(node, f"update_{noun}")(customer.id, **{**fetched.to_dict(), **change})
    assert getattr(updated, field) == value
    assert getattr(getattr(node, f"get_{noun}")(customer.id, item["id"]), field) == value

    getattr(node, f"remove_{noun}")(customer_id=customer.id, **{f"{noun}_id": item["id"]})
    assert list(getattr(node.get_customer(id=customer.id).base, collection)) == []
    with pytest.raises(APIError) as gone:
        getattr(node, f"get_{noun}")(customer.id, item["id"])
    assert gone.value.status_code == 404


def test_duplicate_item_id_is_a_conflict(node: Node, customer: Customer) -> None:
    node.add_like(customer.id, id="dup", name="One", category="c")
    with pytest.raises(APIError) as conflict:
        node.add_like(customer.id, id="dup", name="Two", category="c")
    assert conflict.value.status_code == 409


def test_item_of_unknown_customer_is_a_404(node: Node) -> None:
    with pytest.raises(APIError) as missing:
        node.add_education("00000000-0000-4000-8000-000000000000", id="e", schoolType="COLLEGE")
    assert missing.value.status_code == 404
