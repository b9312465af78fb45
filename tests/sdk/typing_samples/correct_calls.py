"""User code that uses the typed documents correctly: mypy --strict must accept all of it.

tests/sdk/test_typing.py type-checks this file and also runs ``use_the_sdk`` against a hub, so
every call here is valid at run time as well.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, assert_type

from contacthub import Event, Node
from contacthub.models import Customer, Education, Properties
from contacthub.types import (
    CustomerDocument,
    CustomerSource,
    EventDocument,
    JobFields,
    SearchedProperties,
    Session,
    ViewedPageProperties,
)


def use_the_sdk(node: Node) -> dict[str, Any]:
    """Add and change a customer, its items and events with typed documents; return what it made."""
    bruce: CustomerDocument = {
        "externalId": "wayne-001",
        "base": {
            "firstName": "Bruce",
            "lastName": "Wayne",
            "dob": date(1972, 2, 19),
            "timezone": Customer.TIMEZONES.AMERICA_NEW_YORK,
            "contacts": {"email": "bruce@wayne.example", "otherContacts": []},
            "address": {"city": "Gotham", "geo": {"lat": 40.7, "lon": -74.0}},
        },
        "extended": {"points": 3},
        "consents": {"softSpam": {"email": {"status": True}}},
        "tags": {"manual": ["vip"]},
    }
    customer = assert_type(node.add_customer(**bruce), Customer)
    customer_id = str(customer.id)

    # Plain keyword arguments, the guide's spellings, and dictionaries built by the SDK.
    node.add_customer(base={"firstName": "Bruce", "contacts": {"email": "bruce@wayne.example"}},
                      forceUpdate=True)  # fmt: skip
    node.update_customer(customer_id, base={"title": "Mr"}, extra="gotham")
    node.update_customer(customer_id, extended=Properties(points=4))
    node.update_customer(**node.get_customer(id=customer_id).get_mutation_tracker())

    node.add_education(customer_id, id="edu", schoolType=Education.SCHOOL_TYPES.COLLEGE,
                       schoolName="Gotham U", startYear="1994", endYear=1998, isCurrent=False)  # fmt: skip
    node.add_job(customer_id, id="job", jobTitle="CEO", startDate=date(2000, 1, 1))
    job: JobFields = {"jobTitle": "Chairman", "isCurrent": True}
    node.update_job(customer_id, "job", **job)
    node.add_like(customer_id, id="like", name="Bats", category="animals",
                  createdTime=datetime(2020, 1, 1, tzinfo=timezone.utc))  # fmt: skip
    node.add_subscription(customer_id, id="news", name="News", kind="SERVICE", subscribed=True,
                          preferences=[{"key": "topic", "value": "crime"}])  # fmt: skip

    node.add_event(customerId=customer_id, type=Event.TYPES.VIEWED_PAGE,
                   context=Event.CONTEXTS.WEB, properties={"url": "https://wayne.example/"})  # fmt: skip
    page: ViewedPageProperties = {"title": "Home", "pageTags": ["home"]}
    visit: EventDocument = {
        "customerId": customer_id,
        "type": "viewedPage",
        "context": "WEB",
        "properties": page,
        "contextInfo": {"client": {"ip": "203.0.113.7"}},
    }
    posted = assert_type(node.add_event(**visit), Event)
    search: SearchedProperties = {"keyword": "batmobile", "resultCount": 2}
    node.add_event(type="searched", context="MOBILE", properties=search,
                   bringBackProperties={"type": "EXTERNAL_ID", "value": "wayne-001"})  # fmt: skip

    session = assert_type(node.add_customer_session(customer_id, node.create_session_id()), Session)
    sessions = assert_type(node.get_customer_sessions(customer_id), list[Session])
    source = assert_type(node.get_customer_source(customer_id, node.node_id), CustomerSource)
    return {
        "customer_id": customer_id,
        "event": posted,
        "session_value": session["value"],
        "session_ids": [s["id"] for s in sessions],
        "source_node": source["nodeId"],
    }
