"""Event without a server: constants, bring-back owners, to_dict."""

from __future__ import annotations

import re

from contacthub.models import Event, Properties

API_TYPES = [
    "abandonedCart",
    "abandonedSession",
    "addedCompare",
    "addedProduct",
    "addedReward",
    "addedWishlist",
    "campaignBlacklisted",
    "campaignBounced",
    "campaignLinkClicked",
    "campaignMarkedSpam",
    "campaignOpened",
    "campaignOptinRequested",
    "campaignSent",
    "campaignSubscribed",
    "campaignUnsubscribed",
    "changedSetting",
    "clickedLink",
    "closedTicket",
    "completedOrder",
    "eventConfirmed",
    "eventDeclined",
    "eventEligible",
    "eventInvited",
    "eventNoShow",
    "eventNotInvited",
    "eventParticipated",
    "eventRegistered",
    "formCompiled",
    "genericActiveEvent",
    "genericPassiveEvent",
    "grantedCoupon",
    "loggedIn",
    "loggedOut",
    "openedTicket",
    "orderShipped",
    "removedCompare",
    "removedProduct",
    "removedReward",
    "removedWishlist",
    "repliedTicket",
    "reviewedProduct",
    "searched",
    "serviceSubscribed",
    "serviceUnsubscribed",
    "viewedPage",
    "viewedProduct",
    "viewedProductCategory",
]


def test_types_cover_every_api_type_with_its_spelling() -> None:
    assert len(API_TYPES) == 47
    for api_type in API_TYPES:
        name = re.sub(r"([A-Z])", r"_\1", api_type).upper()
        assert getattr(Event.TYPES, name) == api_type


def test_the_guides_misspelled_names_carry_the_api_values() -> None:
    assert Event.TYPES.ADDED_WISH_LIST == "addedWishlist"
    assert Event.TYPES.REMOVED_WISHLIST == "removedWishlist"
    assert Event.TYPES.EVENT_PARTECIPATED == "eventParticipated"


def test_contexts_and_modes() -> None:
    contexts = {v for k, v in vars(Event.CONTEXTS).items() if k.isupper()}
    assert contexts == {
        "CONTACT_CENTER", "WEB", "MOBILE", "ECOMMERCE", "RETAIL", "IOT", "SOCIAL",
        "DIGITAL_CAMPAIGN", "OTHER",
    }  # fmt: skip
    assert (Event.MODES.ACTIVE, Event.MODES.PASSIVE) == ("ACTIVE", "PASSIVE")


class FakeNode:
    node_id = "node-1"


def test_bring_back_type_spellings_map_to_the_api_and_node_id_is_filled() -> None:
    for spelling, expected in (
        ("externalId", "EXTERNAL_ID"),
        ("EXTERNAL_ID", "EXTERNAL_ID"),
        ("sessionId", "SESSION_ID"),
        ("SESSION_ID", "SESSION_ID"),
    ):
        event = Event(
            node=FakeNode(),
            bringBackProperties=Properties(type=spelling, value="v"),
            type=Event.TYPES.LOGGED_IN,
            context=Event.CONTEXTS.WEB,
            properties=Properties(),
        )
        assert event.to_dict()["bringBackProperties"] == {
            "type": expected,
            "value": "v",
            "nodeId": "node-1",
        }


def test_event_attributes_read_back() -> None:
    event = Event.from_dict(
        None,
        {"id": "e1", "type": "viewedPage", "properties": {"url": "https://x"}, "tracking": None},
    )
    assert event.type == "viewedPage"
    assert event.properties.url == "https://x"
    assert event.tracking is None
    assert event.to_dict()["properties"] == {"url": "https://x"}
