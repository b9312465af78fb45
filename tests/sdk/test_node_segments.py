"""Segments and ``Workspace.me()`` through the SDK, against the hub over HTTP."""

from __future__ import annotations

import pytest

from contacthub import APIError, Customer, Node
from contacthub.models.query import in_
from contacthub.models.segment import Segment
from contacthub.testing import Hub


@pytest.fixture
def people(node: Node) -> dict[str, str]:
    """Three customers: first name -> id."""
    rows = (("Ada", "Rome", ["vip"]), ("Bea", "Milan", ["vip"]), ("Cy", "Rome", []))
    return {
        name: node.add_customer(
            base={"firstName": name, "address": {"city": city}},
            tags={"manual": tags, "auto": []},
        ).id
        for name, city, tags in rows
    }


def test_a_segment_saved_from_the_query_builder_finds_its_customers_now(
    node: Node, people: dict[str, str]
) -> None:
    romans = node.query(Customer).filter(Customer.base.address.city == "Rome")
    segment = node.add_segment("Romans", romans)
    assert isinstance(segment, Segment)
    assert segment.name == "Romans"
    assert segment.enabled is True
    assert segment.query == romans.to_dict()["query"]
    found = segment.customers(sort="base.firstName")
    assert [c.base.firstName for c in found] == ["Ada", "Cy"]
    assert [c.id for c in found] == [people["Ada"], people["Cy"]]
    node.add_customer(base={"firstName": "Dan", "address": {"city": "Rome"}})
    assert segment.customers().total_elements == 3


def test_segments_are_listed_read_updated_and_deleted(node: Node, people: dict[str, str]) -> None:
    vip = node.add_segment("VIP", node.query(Customer).filter(in_("vip", Customer.tags.manual)))
    romans = node.add_segment(
        "Romans",
        {
            "name": "q",
            "query": node.query(Customer)
            .filter(Customer.base.address.city == "Rome")
            .to_dict()["query"],
        },
        enabled=False,
    )
    assert [s.id for s in node.get_segments()] == [vip.id, romans.id]
    assert [s.id for s in node.get_segments(name="Romans")] == [romans.id]
    assert node.get_segment(romans.id).enabled is False

    updated = romans.update(query=node.query(Customer).filter(Customer.base.firstName == "Bea"))
    assert updated.id == romans.id
    assert updated.created_at == romans.created_at
    assert [c.id for c in updated.customers()] == [people["Bea"]]
    assert updated.enabled is False

    gone = vip.delete()
    assert gone.name == "VIP"
    with pytest.raises(APIError) as error:
        node.get_segment(vip.id)
    assert error.value.status_code == 404


def test_segment_customers_can_be_projected_and_paged(node: Node, people: dict[str, str]) -> None:
    segment = node.add_segment("all", node.query(Customer).filter(Customer.base.firstName != None))  # noqa: E711
    first = node.get_segment_customers(
        segment.id, size=2, fields=["base.firstName"], sort="base.firstName"
    )
    assert [c.base.firstName for c in first] == ["Ada", "Bea"]
    assert first.total_elements == 3
    assert [c.base.firstName for c in first.next_page()] == ["Cy"]


def test_a_bad_segment_query_is_refused_with_its_pointer(node: Node) -> None:
    with pytest.raises(APIError) as error:
        node.add_segment("bad", {"type": "simple", "are": {"condition": {"type": "atomic"}}})
    assert error.value.status_code == 400
    assert any(e["path"].startswith("/query") for e in error.value.errors)
    with pytest.raises(ValueError, match="at least one filter"):
        node.add_segment("empty", node.query(Customer))


def test_me_names_the_workspace_and_its_nodes(hub: Hub) -> None:
    me = hub.workspace().me()
    [group] = me["groups"]
    [workspace] = group["workspaces"]
    assert workspace["id"] == hub.workspace_id
    assert workspace["nodes"] == [{"id": hub.node_id, "permission": "RW"}]
