"""The lists that both the SDK and the hub hold must not drift apart.

The SDK cannot import the hub (it ships without it), so each side keeps its own copy of the
contract's enumerations; this test fails as soon as one copy changes without the other.
"""

from __future__ import annotations

from typing import Any

import pytest

from contacthub import Customer, Event
from contacthub_server.schemas.event_catalog import BRING_BACK_TYPES, CONTEXTS, EVENT_TYPES, MODES
from contacthub_server.schemas.timezones import TIMEZONES


def constants(holder: type) -> set[Any]:
    """The values of a constants class's public upper-case attributes."""
    return {value for name, value in vars(holder).items() if name.isupper()}


def test_the_sdk_and_the_hub_accept_the_same_342_time_zones() -> None:
    assert constants(Customer.TIMEZONES) == set(TIMEZONES)
    assert len(TIMEZONES) == 342


def test_the_sdk_names_every_event_type_the_hub_accepts_and_no_other() -> None:
    assert constants(Event.TYPES) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == 47


@pytest.mark.parametrize(
    ("sdk", "hub"),
    [
        (Event.CONTEXTS, CONTEXTS),
        (Event.MODES, MODES),
        (Event.BRING_BACK_PROPERTIES_TYPES, BRING_BACK_TYPES),
    ],
    ids=["contexts", "modes", "bring-back-types"],
)
def test_the_sdk_and_the_hub_hold_the_same_enumeration(sdk: type, hub: Any) -> None:
    assert constants(sdk) == set(hub)
