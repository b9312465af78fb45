"""Sections the API answers as null read as empty and accept writes, against a live hub.

A customer added without tags, extended, consents, contacts or an address comes back with those
sections ``null``. The guide reads and writes them as if they were there (``c.tags.manual``,
``c.extended.points = 3``); these tests do the same over HTTP and check, on the wire, that the
mutation tracker sends exactly what was written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from contacthub import Node
from contacthub.lib.read_only_list import ReadOnlyList
from contacthub.models import Customer, Properties


class Wire:
    """Records the method, path and JSON body of every request a node sends."""

    def __init__(self, node: Node) -> None:
        self.sent: list[tuple[str, str, Any]] = []
        self._hooks = node.transport.session.hooks["response"]
        self._hooks.append(self._record)

    def _record(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        body = request.body
        if isinstance(body, bytes):
            body = body.decode()
        path = (request.path_url or "").split("?")[0]
        self.sent.append((str(request.method), path, json.loads(body) if body else None))

    def writes(self) -> list[tuple[str, Any]]:
        """The (method, body) of every write sent so far."""
        return [(method, body) for method, _, body in self.sent if method in ("PATCH", "PUT")]

    def close(self) -> None:
        self._hooks.remove(self._record)


@pytest.fixture
def wire(node: Node) -> Iterator[Wire]:
    recorder = Wire(node)
    yield recorder
    recorder.close()


def bare(node: Node) -> Customer:
    """A stored customer with nothing but a name: tags, extended, consents... are null."""
    customer = node.add_customer(base={"firstName": "Dick", "lastName": "Grayson"})
    data = customer.to_dict()
    for section in ("tags", "extended", "consents"):
        assert data[section] is None, section
    for section in ("contacts", "address", "credential", "socialProfile"):
        assert data["base"][section] is None, section
    return customer


def test_null_sections_read_as_empty_without_changing_the_customer(node: Node) -> None:
    customer = bare(node)
    assert customer.tags.manual == []
    assert customer.tags.auto == []
    assert isinstance(customer.tags.manual, ReadOnlyList)
    assert customer.extended == {}
    assert "points" not in customer.extended
    assert isinstance(customer.consents, Properties)
    assert customer.consents.to_dict() == {}
    assert customer.base.contacts.email is None
    assert customer.base.contacts.otherContacts == []
    assert customer.base.address.geo.lat is None
    assert customer.consents.marketing.automatic.email.status is None
    assert customer.base.credential.username is None
    assert customer["tags"]["manual"] == []
    # Reading the same empty section twice gives the same object, so writes through either land.
    assert customer.extended is customer.extended
    # Reading created nothing: nothing to send, the document still says null.
    assert customer.get_mutation_tracker() == {"id": customer.id}
    assert customer.to_dict()["tags"] is None


def test_names_the_schema_does_not_have_still_raise(node: Node) -> None:
    customer = bare(node)
    with pytest.raises(AttributeError, match=r"customer\.tags has no attribute 'manul'"):
        _ = customer.tags.manul
    with pytest.raises(AttributeError, match=r"customer\.extended has no attribute 'points'"):
        _ = customer.extended.points
    with pytest.raises(KeyError, match="points"):
        _ = customer.extended["points"]


def test_writing_into_null_sections_patches_only_what_was_written(node: Node, wire: Wire) -> None:
    customer = bare(node)
    customer.tags.manual += ["sidekick"]
    customer.extended.points = 3
    customer.base.contacts.email = "dick@wayne.example"
    customer.base.address.geo = Properties(lat=40.7, lon=-74.0)
    customer.consents.marketing.automatic.email.status = True
    expected = {
        "tags": {"manual": ["sidekick"]},
        "extended": {"points": 3},
        "base": {
            "contacts": {"email": "dick@wayne.example"},
            "address": {"geo": {"lat": 40.7, "lon": -74.0}},
        },
        "consents": {"marketing": {"automatic": {"email": {"status": True}}}},
    }
    assert customer.get_mutation_tracker() == {"id": customer.id, **expected}
    customer.patch()
    assert wire.writes() == [("PATCH", expected)]
    assert customer.get_mutation_tracker() == {"id": customer.id}
    stored = node.get_customer(id=customer.id)
    assert stored.tags.manual == ["sidekick"]
    assert stored.tags.auto == []
    assert stored.extended.points == 3
    assert stored.base.contacts.email == "dick@wayne.example"
    assert stored.base.address.geo.lon == -74.0
    assert stored.base.firstName == "Dick"
    assert stored.consents.marketing.automatic.email.status is True


def test_one_new_section_is_the_whole_patch(node: Node, wire: Wire) -> None:
    customer = bare(node)
    customer.extended.points = 3
    customer.patch()
    assert wire.writes() == [("PATCH", {"extended": {"points": 3}})]
    assert node.get_customer(id=customer.id).extended.points == 3


def test_assigning_a_list_of_a_null_section(node: Node, wire: Wire) -> None:
    customer = bare(node)
    customer.tags.manual = ["a", "b"]
    customer.base.contacts.otherContacts = [{"name": "work", "type": "PHONE", "value": "+39 02"}]
    customer.patch()
    assert wire.writes() == [
        (
            "PATCH",
            {
                "tags": {"manual": ["a", "b"]},
                "base": {
                    "contacts": {
                        "otherContacts": [{"name": "work", "type": "PHONE", "value": "+39 02"}]
                    }
                },
            },
        )
    ]
    stored = node.get_customer(id=customer.id)
    assert stored.tags.manual == ["a", "b"]
    assert stored.base.contacts.otherContacts[0].value == "+39 02"


def test_put_sends_the_whole_document_with_the_new_sections(node: Node, wire: Wire) -> None:
    customer = bare(node)
    customer.extended.points = 3
    customer.tags.manual += ["vip"]
    customer.put()
    [(method, body)] = wire.writes()
    assert method == "PUT"
    assert body["extended"] == {"points": 3}
    assert body["tags"] == {"manual": ["vip"]}
    assert body["base"]["firstName"] == "Dick"
    assert body["base"]["contacts"] is None
    assert body["consents"] is None
    stored = node.get_customer(id=customer.id)
    assert stored.extended.points == 3
    assert stored.tags.manual == ["vip"]


def test_an_empty_section_replaced_before_its_first_write_is_forgotten(node: Node) -> None:
    customer = bare(node)
    stale = customer.extended
    customer.extended = {"level": 1}
    stale.points = 3  # an old view: it no longer stands for the customer's extended
    assert customer.get_mutation_tracker() == {"id": customer.id, "extended": {"level": 1}}


def test_null_lists_of_an_item_read_as_empty(node: Node) -> None:
    customer = node.add_customer(
        base={"firstName": "Dick", "subscriptions": [{"id": "news", "name": "News"}]}
    )
    [subscription] = customer.base.subscriptions
    assert subscription.preferences == []
    assert subscription.startDate is None


def test_a_query_reaches_a_section_written_through_an_empty_one(node: Node) -> None:
    customer = bare(node)
    customer.base.address.city = "Gotham"
    customer.patch()
    found = node.query(Customer).filter(Customer.base.address.city == "Gotham").all()
    assert [c.id for c in found] == [customer.id]
