"""Node's customer methods against a live hub over HTTP (the `hub` and `node` fixtures)."""

from __future__ import annotations

from typing import Any

import pytest

from contacthub import APIError, Customer, Node, OperationNotPermitted, PaginatedList, Workspace
from contacthub.testing import Hub


def add(node: Node, email: str, **extra: Any) -> Customer:
    base = {"contacts": {"email": email}, **extra.pop("base", {})}
    return node.add_customer(base=base, **extra)


def test_add_customer_returns_the_stored_customer(node: Node) -> None:
    customer = node.add_customer(
        base={"firstName": "Ada", "contacts": {"email": "ada@example.com"}},
        externalId="ext-1",
        extended={},
        extra="note",
    )
    assert isinstance(customer, Customer)
    assert customer.id
    assert customer.base.firstName == "Ada"
    assert customer.externalId == "ext-1"
    assert customer.extra == "note"
    assert customer.nodeId == node.node_id
    assert customer.registeredAt


def test_get_customer_by_id_and_by_external_id(node: Node) -> None:
    added = add(node, "grace@example.com", externalId="g-1")
    assert node.get_customer(id=added.id).base.contacts.email == "grace@example.com"
    assert node.get_customer(external_id="g-1").id == added.id


def test_get_customer_argument_and_lookup_errors(node: Node) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        node.get_customer()
    with pytest.raises(ValueError, match="exactly one"):
        node.get_customer(id="a", external_id="b")
    with pytest.raises(APIError) as missing:
        node.get_customer(id="00000000-0000-4000-8000-000000000000")
    assert missing.value.status_code == 404
    with pytest.raises(APIError) as no_external:
        node.get_customer(external_id="nobody")
    assert no_external.value.status_code == 404
    add(node, "twin1@example.com", externalId="twin")
    add(node, "twin2@example.com", externalId="twin")
    with pytest.raises(ValueError, match="2 customers have external id 'twin'"):
        node.get_customer(external_id="twin")


def test_get_customers_by_external_id_gives_one_customer_or_a_list(node: Node) -> None:
    only = add(node, "only@example.com", externalId="solo")
    single = node.get_customers(external_id="solo")
    assert isinstance(single, Customer)
    assert single.id == only.id
    add(node, "a@example.com", externalId="pair")
    add(node, "b@example.com", externalId="pair")
    several = node.get_customers(external_id="pair")
    assert isinstance(several, PaginatedList)
    assert sorted(c.base.contacts.email for c in several) == ["a@example.com", "b@example.com"]


def test_paging_through_customers(node: Node) -> None:
    emails = [f"p{i:02d}@example.com" for i in range(12)]
    for email in emails:
        add(node, email)
    first = node.get_customers()
    assert len(first) == 10  # the API's default page size
    assert (first.size, first.total_elements, first.total_pages, first.page_number) == (
        10,
        12,
        2,
        0,
    )
    assert first.total_unfiltered_elements == 0
    page = node.get_customers(size=5, page=1)
    assert [c.base.contacts.email for c in page] == emails[5:10]
    assert [c.base.contacts.email for c in page.next_page()] == emails[10:]
    assert [c.base.contacts.email for c in page.previous_page()] == emails[:5]
    with pytest.raises(OperationNotPermitted):
        page.next_page().next_page()
    with pytest.raises(ValueError, match="read-only"):
        page.append(page[0])
    assert [c.base.contacts.email for c in node.get_customers(size=5).all_pages()] == emails
    assert [c.base.contacts.email for c in node.iter_customers(page_size=4)] == emails


def test_sort_fields_and_query(node: Node) -> None:
    add(node, "b@example.com", base={"firstName": "Bruce", "lastName": "Wayne"})
    add(node, "c@example.com", base={"firstName": "Clark", "lastName": "Kent"})
    add(node, "d@example.com", base={"firstName": "Diana", "lastName": "Prince"})
    by_last = node.get_customers(sort="base.lastName")
    assert [c.base.lastName for c in by_last] == ["Kent", "Prince", "Wayne"]
    descending = node.get_customers(sort=("base.firstName", "desc"))
    assert [c.base.firstName for c in descending] == ["Diana", "Clark", "Bruce"]
    projected = node.get_customers(fields=["base.firstName"], sort="base.firstName,asc")
    assert [c.base.firstName for c in projected] == ["Bruce", "Clark", "Diana"]
    assert all(c.base.to_dict() == {"firstName": c.base.firstName} for c in projected)
    found = node.query(Customer).filter(Customer.base.lastName == "Wayne").all()
    assert [c.base.firstName for c in found] == ["Bruce"]
    walked = list(
        node.iter_customers(query=node.query(Customer).filter(Customer.base.firstName != "Clark"))
    )
    assert sorted(c.base.firstName for c in walked) == ["Bruce", "Diana"]
    assert node.get_customers(query=node.query(Customer)).total_elements == 3  # no filter: all
    with pytest.raises(ValueError, match="sort direction"):
        node.get_customers(sort=("base.firstName", "sideways"))


def test_get_customer_by_email(node: Node) -> None:
    added = add(node, "lookup@example.com")
    found = node.get_customer_by_email("lookup@example.com")
    assert found is not None
    assert found.id == added.id
    assert node.get_customer_by_email("absent@example.com") is None


def test_partial_update_with_the_mutation_tracker(node: Node) -> None:
    customer = add(node, "patch@example.com", base={"firstName": "Old", "lastName": "Name"})
    fetched = node.get_customer(id=customer.id)
    fetched.base.firstName = "New"
    updated = node.update_customer(**fetched.get_mutation_tracker())
    assert updated.base.firstName == "New"
    assert updated.base.lastName == "Name"  # PATCH merged, did not replace
    again = node.update_customer(id=customer.id, base={"lastName": None})
    assert again.base.lastName is None
    assert again.base.firstName == "New"


def test_full_update_replaces_the_customer(node: Node) -> None:
    customer = add(node, "put@example.com", base={"firstName": "Keep", "lastName": "Drop"})
    fetched = node.get_customer(id=customer.id)
    document = fetched.to_dict()
    document["base"] = {"contacts": {"email": "put@example.com"}, "firstName": "Only"}
    replaced = node.update_customer(full_update=True, **document)
    assert replaced.base.firstName == "Only"
    assert replaced.base.lastName is None
    assert replaced.id == customer.id
    assert replaced.updatedAt >= customer.updatedAt


def test_conflict_and_force_update(node: Node) -> None:
    first = add(node, "same@example.com", base={"firstName": "First"})
    with pytest.raises(APIError) as conflict:
        add(node, "same@example.com", base={"firstName": "Second"})
    error = conflict.value
    assert error.status_code == 409
    assert error.data["customer"]["id"] == first.id
    assert error.message == f"Conflict with exiting customer {first.id}"
    assert error.logref
    forced = add(node, "same@example.com", base={"firstName": "Second"}, force_update=True)
    assert forced.id == first.id
    assert forced.base.firstName == "Second"
    spelled = node.add_customer(
        base={"contacts": {"email": "same@example.com"}, "lastName": "Other"}, forceUpdate=True
    )
    assert spelled.id == first.id
    assert spelled.base.lastName == "Other"
    assert node.get_customers().total_elements == 1


def test_delete_customer(node: Node) -> None:
    customer = add(node, "gone@example.com", base={"firstName": "Gone"})
    deleted = node.delete_customer(**node.get_customer(id=customer.id).to_dict())
    assert deleted.id == customer.id
    assert deleted.base.firstName == "Gone"
    with pytest.raises(APIError) as after:
        node.get_customer(id=customer.id)
    assert after.value.status_code == 404
    with pytest.raises(APIError) as twice:
        node.delete_customer(id=customer.id)
    assert twice.value.status_code == 404


def test_delete_customer_by_id_returns_a_customer_with_that_id(node: Node) -> None:
    # The API answers with an empty body (§10.1): the SDK builds the Customer from what it knows.
    customer = add(node, "by-id@example.com")
    deleted = node.delete_customer(customer.id)
    assert isinstance(deleted, Customer)
    assert deleted.id == customer.id
    with pytest.raises(APIError) as after:
        node.get_customer(id=customer.id)
    assert after.value.status_code == 404


def test_tags(node: Node) -> None:
    customer = add(node, "tags@example.com")
    node.add_tag(customer.id, "vip")
    node.add_tag(customer.id, "early")
    node.add_tag(customer.id, "vip")  # already there: unchanged
    assert list(node.get_customer(id=customer.id).tags.manual) == ["vip", "early"]
    node.remove_tag(customer.id, "vip")
    assert list(node.get_customer(id=customer.id).tags.manual) == ["early"]
    with pytest.raises(ValueError, match="no manual tag 'vip'"):
        node.remove_tag(customer.id, "vip")


def test_invalid_customer_is_a_400_naming_the_field(node: Node) -> None:
    with pytest.raises(APIError) as caught:
        node.add_customer(base={"contacts": {"email": 42}})
    assert caught.value.status_code == 400
    assert caught.value.errors
    assert any("email" in str(item.get("path", "")) for item in caught.value.errors)


def test_wrong_token_unknown_workspace_and_unknown_node(hub: Hub) -> None:
    wrong = Workspace(hub.workspace_id, "wrong-token", base_url=hub.base_url)
    with wrong, pytest.raises(APIError) as unauthorized:
        wrong.get_node(hub.node_id).get_customers()
    assert unauthorized.value.status_code == 401
    assert unauthorized.value.message == "The client is not authorized to access the API"
    other = hub.server.provision()
    foreign = Workspace(other.workspace_id, hub.token, base_url=hub.base_url)
    with foreign, pytest.raises(APIError) as forbidden:
        foreign.get_node(other.node_id).get_customers()
    assert forbidden.value.status_code == 403
    with pytest.raises(APIError) as unknown_node:
        hub.workspace().get_node("no-such-node").get_customers()
    assert unknown_node.value.status_code == 404
    assert unknown_node.value.message == "node not found no-such-node"


def test_workspace_from_ini_file_talks_to_the_hub(hub: Hub, tmp_path: Any) -> None:
    path = tmp_path / "contacthub.ini"
    path.write_text(
        f"[contacthub]\nworkspace_id = {hub.workspace_id}\ntoken = {hub.token}\n"
        f"base_url = {hub.base_url}\nnode_id = {hub.node_id}\n"
    )
    with Workspace.from_ini_file(path) as workspace:
        node = workspace.get_node()
        add(node, "ini@example.com")
        assert [c.base.contacts.email for c in node.get_customers()] == ["ini@example.com"]
