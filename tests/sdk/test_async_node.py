"""AsyncNode's methods against a live hub over HTTP, beside what Node gives for the same calls."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from contacthub import (
    APIError,
    AsyncNode,
    AsyncPaginatedList,
    AsyncWorkspace,
    Customer,
    Education,
    Event,
    Job,
    Like,
    Node,
    OperationNotPermitted,
    Subscription,
)
from contacthub.models.segment import Segment
from contacthub.testing import Hub

pytestmark = pytest.mark.anyio


async def add(anode: AsyncNode, email: str, **extra: Any) -> Customer:
    base = {"contacts": {"email": email}, **extra.pop("base", {})}
    return await anode.add_customer(base=base, **extra)


async def test_add_get_update_delete_a_customer(anode: AsyncNode, node: Node) -> None:
    added = await anode.add_customer(
        base={"firstName": "Ada", "contacts": {"email": "ada@example.com"}}, externalId="ada-1"
    )
    assert isinstance(added, Customer)
    assert added.node is anode
    assert added.base.firstName == "Ada"
    # The sync client reads what the async one wrote, as the same document.
    assert node.get_customer(id=added.id).to_dict() == added.to_dict()
    assert (await anode.get_customer(id=added.id)).externalId == "ada-1"
    assert (await anode.get_customer(external_id="ada-1")).id == added.id
    patched = await anode.update_customer(added.id, base={"lastName": "Lovelace"})
    assert patched.base.firstName == "Ada"
    assert patched.base.lastName == "Lovelace"
    replaced = await anode.update_customer(
        added.id, full_update=True, base={"firstName": "Grace"}, externalId="ada-1"
    )
    assert replaced.base.firstName == "Grace"
    assert replaced.base.lastName is None
    deleted = await anode.delete_customer(added.id)
    assert deleted.id == added.id
    with pytest.raises(APIError) as gone:
        await anode.get_customer(id=added.id)
    assert gone.value.status_code == 404


async def test_argument_errors_and_conflicts_are_those_of_node(anode: AsyncNode) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        await anode.get_customer()
    await add(anode, "twin@example.com")
    with pytest.raises(APIError) as conflict:
        await add(anode, "twin@example.com")
    assert conflict.value.status_code == 409
    forced = await anode.add_customer(
        base={"contacts": {"email": "twin@example.com"}, "firstName": "Second"}, force_update=True
    )
    assert forced.base.firstName == "Second"
    with pytest.raises(APIError) as missing:
        await anode.get_customer(external_id="nobody")
    assert missing.value.status_code == 404


async def test_pages_and_async_iteration_over_every_page(anode: AsyncNode) -> None:
    for number in range(7):
        await add(anode, f"page{number}@example.com", externalId=f"p{number}")
    first = await anode.get_customers(size=3, sort="externalId")
    assert isinstance(first, AsyncPaginatedList)
    assert (first.page_number, first.total_pages, first.total_elements) == (0, 3, 7)
    assert [c.externalId for c in first] == ["p0", "p1", "p2"]
    second = await first.next_page()
    assert [c.externalId for c in second] == ["p3", "p4", "p5"]
    assert [c.externalId for c in await second.previous_page()] == ["p0", "p1", "p2"]
    last = await second.next_page()
    with pytest.raises(OperationNotPermitted):
        await last.next_page()
    walked = [c.externalId async for c in first.all_pages()]
    assert walked == [f"p{n}" for n in range(7)]
    iterated = [c.externalId async for c in anode.iter_customers(sort="externalId", page_size=2)]
    assert iterated == walked
    query = anode.query(Customer).filter(Customer.externalId == "p4")
    found = await anode.get_customers(query=query)
    assert [c.externalId for c in found] == ["p4"]
    # Query.all() hands the node's coroutine back: awaiting it runs the query.
    assert [c.externalId for c in await query.all()] == ["p4"]
    assert isinstance(await anode.get_customers(external_id="p5"), Customer)
    by_email = await anode.get_customer_by_email("page6@example.com")
    assert by_email is not None
    assert by_email.externalId == "p6"
    assert await anode.get_customer_by_email("nobody@example.com") is None


async def test_tags_sessions_and_sources(anode: AsyncNode) -> None:
    customer = await add(anode, "tags@example.com")
    tagged = await anode.add_tag(customer.id, "vip")
    assert tagged.tags.manual == ["vip"]
    assert (await anode.add_tag(customer.id, "vip")).tags.manual == ["vip"]
    assert (await anode.remove_tag(customer.id, "vip")).tags.manual == []
    with pytest.raises(ValueError, match="no manual tag"):
        await anode.remove_tag(customer.id, "vip")
    session_id = anode.create_session_id()
    session = await anode.add_customer_session(customer.id, session_id)
    assert session["value"] == session_id
    assert await anode.get_customer_sessions(customer.id) == [session]
    assert await anode.get_customer_session(customer.id, session["id"]) == session
    await anode.delete_customer_session(customer.id, session["id"])
    assert await anode.get_customer_sessions(customer.id) == []
    sources = await anode.get_customer_sources(customer.id)
    assert [source["id"] for source in sources] == [anode.node_id]
    source = await anode.get_customer_source(customer.id, anode.node_id)
    assert source["base"]["contacts"]["email"] == "tags@example.com"


async def test_events(anode: AsyncNode, node: Node) -> None:
    customer = await add(anode, "events@example.com")
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    event = await anode.add_event(
        customerId=customer.id,
        type="viewedPage",
        context="WEB",
        properties={"url": "https://example.com/a"},
        date=when,
    )
    assert isinstance(event, Event)
    assert event.id
    stored = await anode.get_event(event.id)
    assert stored.properties.url == "https://example.com/a"
    assert node.get_event(event.id).to_dict() == stored.to_dict()
    updated = await anode.update_event(
        event.id,
        customerId=customer.id,
        type="viewedPage",
        context="WEB",
        properties={"url": "https://example.com/b"},
        date=when,
    )
    assert updated.properties.url == "https://example.com/b"
    for number in range(3):
        await anode.add_event(
            customerId=customer.id,
            type="viewedPage",
            context="WEB",
            properties={"url": f"https://example.com/{number}"},
        )
    page = await anode.get_events(customer.id, size=2)
    assert page.total_elements == 4
    urls = [e.properties.url async for e in anode.iter_events(customer.id, page_size=2)]
    assert len(urls) == 4
    assert "https://example.com/b" in urls
    await anode.delete_event(event.id)
    with pytest.raises(APIError) as gone:
        await anode.get_event(event.id)
    assert gone.value.status_code == 404
    with pytest.raises(TypeError, match="date_from"):
        await anode.get_events(customer.id, date_from=3)  # type: ignore[arg-type]


async def test_customer_items(anode: AsyncNode) -> None:
    customer = await add(anode, "items@example.com")
    education = await anode.add_education(customer.id, id="e1", schoolType="COLLEGE")
    assert isinstance(education, Education)
    assert (await anode.get_education(customer.id, "e1")).schoolType == "COLLEGE"
    updated = await anode.update_education(customer.id, "e1", schoolType="OTHER")
    assert updated.schoolType == "OTHER"
    job = await anode.add_job(customer.id, id="j1", companyName="ACME")
    assert isinstance(job, Job)
    assert (await anode.update_job(customer.id, "j1", companyName="Initech")).companyName == (
        "Initech"
    )
    like = await anode.add_like(customer.id, id="l1", name="jazz")
    assert isinstance(like, Like)
    assert (await anode.get_like(customer.id, "l1")).name == "jazz"
    subscription = await anode.add_subscription(customer.id, id="s1", name="news")
    assert isinstance(subscription, Subscription)
    stored = await anode.get_customer(id=customer.id)
    assert [e.id for e in stored.base.educations] == ["e1"]
    assert [j.companyName for j in stored.base.jobs] == ["Initech"]
    await anode.remove_education(customer.id, "e1")
    await anode.remove_job(customer.id, "j1")
    await anode.remove_like(customer.id, "l1")
    await anode.remove_subscription(customer.id, "s1")
    emptied = await anode.get_customer(id=customer.id)
    assert (emptied.base.educations, emptied.base.jobs, emptied.base.likes) == ([], [], [])


async def test_segments_and_consent_logs(anode: AsyncNode) -> None:
    await add(anode, "seg1@example.com", base={"firstName": "Ann"})
    await add(anode, "seg2@example.com", base={"firstName": "Bob"})
    query = anode.query(Customer).filter(Customer.base.firstName == "Ann")
    segment = await anode.add_segment("anns", query)
    assert isinstance(segment, Segment)
    assert (await anode.get_segment(segment.id)).name == "anns"
    members = await anode.get_segment_customers(segment.id)
    assert [c.base.firstName for c in members] == ["Ann"]
    listed = await anode.get_segments(name="anns")
    assert [s.id for s in listed] == [segment.id]
    renamed = await anode.update_segment(segment.id, "ann", query, enabled=False)
    assert (renamed.name, renamed.enabled) == ("ann", False)
    await anode.delete_segment(segment.id)
    with pytest.raises(APIError):
        await anode.get_segment(segment.id)
    consenting = await anode.add_customer(
        base={"contacts": {"email": "consent@example.com"}},
        consents={"marketing": {"automatic": {"email": {"status": True}}}},
    )
    logs = await anode.get_consent_logs(customer_id=consenting.id)
    assert logs
    assert {log["customerId"] for log in logs} == {consenting.id}


async def test_models_of_an_async_node_refuse_their_sync_requests(anode: AsyncNode) -> None:
    customer = await add(anode, "model@example.com")
    customer.base.firstName = "Changed"
    for call in (customer.patch, customer.post, customer.put, customer.delete, customer.get_events):
        with pytest.raises(OperationNotPermitted, match=r"AsyncNode: use (await|async for) "):
            call()
    # The mutation tracker is how the change travels instead.
    saved = await anode.update_customer(**customer.get_mutation_tracker())
    assert saved.base.firstName == "Changed"
    event = Event(node=anode, customerId=customer.id, type="viewedPage", context="WEB")
    with pytest.raises(OperationNotPermitted, match=r"node\.add_event"):
        event.post()
    like = await anode.add_like(customer.id, id="l1", name="jazz")
    with pytest.raises(OperationNotPermitted, match="remove_like"):
        like.delete()
    segment = await anode.add_segment(
        "s", anode.query(Customer).filter(Customer.base.firstName == "Changed")
    )
    with pytest.raises(OperationNotPermitted, match="delete_segment"):
        segment.delete()


async def test_workspace_from_env_ini_file_me_and_closing(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    environ = {
        "CONTACTHUB_WORKSPACE_ID": hub.workspace_id,
        "CONTACTHUB_TOKEN": hub.token,
        "CONTACTHUB_BASE_URL": hub.base_url,
        "CONTACTHUB_NODE_ID": hub.node_id,
    }
    async with AsyncWorkspace.from_env(environ) as workspace:
        node = workspace.get_node()
        assert node.node_id == hub.node_id
        assert (await node.get_customers()).total_elements == 0
        me = await workspace.me()
        assert any(
            ws["id"] == hub.workspace_id for group in me["groups"] for ws in group["workspaces"]
        )
        assert hub.token not in repr(workspace)
    assert workspace.transport.client.is_closed
    ini = tmp_path / "contacthub.ini"
    ini.write_text(
        f"workspace_id = {hub.workspace_id}\ntoken = {hub.token}\nbase_url = {hub.base_url}\n"
        f"node_id = {hub.node_id}\n"
    )
    from_file = AsyncWorkspace.from_ini_file(ini)
    try:
        assert (await from_file.get_node().add_customer(externalId="x")).externalId == "x"
    finally:
        await from_file.aclose()
    with pytest.raises(ValueError, match="CONTACTHUB_TOKEN"):
        AsyncWorkspace.from_env({"CONTACTHUB_WORKSPACE_ID": "w"})
    with pytest.raises(ValueError, match="names no node"):
        AsyncWorkspace("w", "t").get_node()


def test_every_node_method_is_on_the_async_node_with_the_same_parameters() -> None:
    import inspect

    # Not requests: the same plain methods; and the async iterators of the bulk operations.
    plain = {"query", "create_session_id", "transport", "workspace", "node_id"}
    iterators = {"bulk_add_customers", "bulk_add_events", "export_customers", "export_events"}
    names = [name for name in dir(Node) if not name.startswith("_")]
    assert len(names) > 40
    for name in names:
        assert hasattr(AsyncNode, name), name
        if name in plain:
            continue
        sync, asynchronous = getattr(Node, name), getattr(AsyncNode, name)
        if name in iterators:
            assert not inspect.iscoroutinefunction(asynchronous), name
        else:
            assert inspect.iscoroutinefunction(asynchronous) or inspect.isasyncgenfunction(
                asynchronous
            ), name
        assert list(inspect.signature(sync).parameters) == list(
            inspect.signature(asynchronous).parameters
        ), name
