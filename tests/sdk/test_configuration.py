"""``workspace.configuration`` through the SDK, against the hub over HTTP."""

from __future__ import annotations

import pytest

from contacthub import APIError, Workspace
from contacthub.configuration import Configuration
from contacthub.testing import Hub


@pytest.fixture
def workspace(hub: Hub) -> Workspace:
    return hub.workspace()


@pytest.fixture
def configuration(workspace: Workspace) -> Configuration:
    return workspace.configuration


def test_the_workspace_settings_are_read_and_changed(configuration: Configuration) -> None:
    assert configuration.settings()["customerUniquenessPolicy"] == "BLOCK"
    changed = configuration.update_settings(name="Acme", timezone="Europe/London")
    assert (changed["name"], changed["timezone"]) == ("Acme", "Europe/London")
    assert configuration.settings() == changed
    with pytest.raises(APIError) as refused:
        configuration.update_settings(currency="euro")
    assert refused.value.status_code == 400
    assert refused.value.errors[0]["path"] == "/currency"


def test_every_event_type_is_listed_and_a_disabled_one_is_refused(
    hub: Hub, workspace: Workspace, configuration: Configuration
) -> None:
    types = configuration.events()
    assert len(types) == 47  # more than one page of the API's default size
    assert len({t["id"] for t in types}) == 47
    sent = configuration.get_event_type("campaignSent")
    assert (sent["mode"], sent["label"], sent["enabled"]) == ("PASSIVE", "Campaign sent", True)

    disabled = configuration.update_event_type("campaignSent", enabled=False)
    assert disabled["enabled"] is False
    node = workspace.get_node(hub.node_id)
    customer = node.add_customer(externalId="c1")
    event = {"customerId": customer.id, "type": "campaignSent", "context": "OTHER"}
    with pytest.raises(APIError) as refused:
        node.add_event(**event, properties={})
    assert refused.value.status_code == 400
    assert refused.value.errors[0]["path"] == "/type"
    configuration.update_event_type("campaignSent", enabled=True)
    node.add_event(**event, properties={})
    assert [e.type for e in node.get_events(customer.id, event_mode="PASSIVE")] == ["campaignSent"]


def test_the_extended_schema_is_set_and_enforced(hub: Hub, workspace: Workspace) -> None:
    configuration = workspace.configuration
    assert configuration.extended_schema()["properties"] == {}
    schema = {
        "type": "object",
        "properties": {
            "points": {
                "type": "integer",
                "minimum": 0,
                "contactlabProperties": {"label": "Points", "mergePolicy": "MATH_SUM"},
            }
        },
    }
    assert configuration.set_extended_schema(schema) == schema
    assert configuration.extended_schema() == schema
    node = workspace.get_node(hub.node_id)
    with pytest.raises(APIError) as refused:
        node.add_customer(extended={"points": -3})
    assert refused.value.errors[0]["path"] == "/extended/points"
    assert node.add_customer(extended={"points": 3}).extended.points == 3
    with pytest.raises(APIError):
        configuration.set_extended_schema({"type": "banana"})


def test_the_matching_policy_is_read_and_changed(hub: Hub, workspace: Workspace) -> None:
    configuration = workspace.configuration
    assert configuration.matching_policy() == {
        "properties": ["base.contacts.email"],
        "caseSensitive": False,
    }
    policy = configuration.set_matching_policy(properties=["externalId"])
    assert policy == {"properties": ["externalId"], "caseSensitive": False}
    assert configuration.set_matching_policy(case_sensitive=True)["caseSensitive"] is True
    node = workspace.get_node(hub.node_id)
    first = node.add_customer(externalId="E1")
    with pytest.raises(APIError) as conflict:
        node.add_customer(externalId="E1")
    assert conflict.value.status_code == 409
    assert conflict.value.data["customer"]["id"] == first.id
    with pytest.raises(TypeError):
        configuration.set_matching_policy(properties="externalId")


def test_nodes_are_added_and_changed(hub: Hub, workspace: Workspace) -> None:
    configuration = workspace.configuration
    assert [n["id"] for n in configuration.nodes()] == [hub.node_id]
    shop = configuration.add_node(
        "shop", description="the web shop", mandatory_properties=["base.lastName"]
    )
    assert configuration.get_node(shop["id"]) == shop
    assert [n["id"] for n in configuration.nodes()] == [hub.node_id, shop["id"]]

    node = workspace.get_node(shop["id"])
    with pytest.raises(APIError) as refused:
        node.add_customer(base={"firstName": "Ada"})
    assert refused.value.errors[0]["path"] == "/base/lastName"
    node.add_customer(base={"lastName": "Lovelace"})

    changed = configuration.update_node(
        shop["id"], name="store", description=None, mandatory_properties=[]
    )
    assert changed == {**shop, "name": "store", "description": None, "mandatoryProperties": []}
    node.add_customer(base={"firstName": "Ada"})
    kept = configuration.update_node(shop["id"], source_priority=[hub.node_id])
    assert (kept["name"], kept["sourcePriority"]) == ("store", [hub.node_id])
    with pytest.raises(APIError) as missing:
        configuration.get_node("nowhere")
    assert missing.value.status_code == 404


def test_sources_name_the_nodes_customers_come_from(hub: Hub, workspace: Workspace) -> None:
    sources = workspace.configuration.sources()
    assert [s["id"] for s in sources] == [hub.node_id]
    assert sources[0]["token"] == hub.token
    customer = workspace.get_node(hub.node_id).add_customer(externalId="c1")
    assert customer.sourceInfo.registeredBy == sources[0]["id"]


def test_the_base_properties_and_the_models(configuration: Configuration) -> None:
    names = [p["name"] for p in configuration.base_properties()]
    assert names[:4] == ["pictureUrl", "title", "prefix", "firstName"]
    models = configuration.models
    assert "firstName" in models.base_properties()["properties"]
    assert "WEB" in [c["id"] for c in models.contexts()]
    assert "MATH_SUM" in [p["id"] for p in models.merge_policies()]
    assert "API" in [p["id"] for p in models.providers()]
