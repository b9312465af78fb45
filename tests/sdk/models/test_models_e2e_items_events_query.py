"""Items, events and queries against a live hub over HTTP."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from contacthub import Node
from contacthub._wire import parse_instant
from contacthub.models import Customer, Education, Event, Job, Like, Properties, Subscription
from contacthub.models.query import between_, in_, not_in_


def stored_customer(node: Node, email: str, **base: object) -> Customer:
    customer = Customer(node=node)
    customer.base.contacts.email = email
    for key, value in base.items():
        customer.base[key] = value
    return customer.post()


def test_education_post_put_delete(node: Node) -> None:
    customer = stored_customer(node, "edu@example.com")
    education = Education(
        customer=customer,
        id="01",
        schoolType=Education.SCHOOL_TYPES.COLLEGE,
        schoolName="Gotham U",
        schoolConcentration="Law",
        isCurrent=False,
        startYear=1994,
        endYear=2000,
    )
    assert education.post() is education
    assert node.get_customer(id=customer.id).base.educations[0].schoolName == "Gotham U"
    # The customer object sees the item without another GET, and tracks no change for it.
    assert customer.base.educations[0].schoolName == "Gotham U"
    assert customer.get_mutation_tracker() == {"id": customer.id}

    education.schoolConcentration = "Criminology"
    education.put()
    assert node.get_education(customer_id=customer.id, education_id="01").schoolConcentration == (
        "Criminology"
    )
    education.delete()
    assert node.get_customer(id=customer.id).base.educations == []
    assert customer.base.educations == []


def test_items_read_from_a_customer_can_be_updated_and_removed(node: Node) -> None:
    customer = stored_customer(node, "items@example.com")
    Job(customer=customer, id="j1", jobTitle="CEO", companyName="Wayne Ent.", isCurrent=True,
        startDate="2010-10-06").post()  # fmt: skip
    Like(customer=customer, id="l1", name="bats", category="animals",
         createdTime=datetime(2020, 1, 2, 3, 4, 5)).post()  # fmt: skip
    Subscription(customer=customer, id="s1", name="news", kind=Subscription.KINDS.SERVICE,
                 subscriberId="sub", subscribed=True,
                 preferences=[{"key": "freq", "value": "daily"}]).post()  # fmt: skip

    fetched = node.get_customer(id=customer.id)
    job = fetched.base.jobs[0]
    assert isinstance(job, Job)
    job.jobTitle = "Chairman"
    job.put()
    like = fetched.base.likes[0]
    assert isinstance(like, Like)
    like.delete()
    subscription = fetched.base.subscriptions[0]
    assert isinstance(subscription, Subscription)
    assert subscription.preferences[0].value == "daily"

    again = node.get_customer(id=customer.id)
    assert again.base.jobs[0].jobTitle == "Chairman"
    assert again.base.jobs[0].startDate == "2010-10-06"
    assert again.base.likes == []
    assert fetched.base.jobs[0].jobTitle == "Chairman"
    assert fetched.get_mutation_tracker() == {"id": customer.id}


def test_event_post_with_customer_id_and_with_a_session(node: Node) -> None:
    customer = stored_customer(node, "evt@example.com")
    event = Event(
        node=node,
        customerId=customer.id,
        type=Event.TYPES.SERVICE_SUBSCRIBED,
        context=Event.CONTEXTS.WEB,
        contextInfo=Properties(client=Properties(ip="127.0.0.1")),
        properties=Properties(
            subscriberId="s_id",
            serviceId="service_id",
            serviceName="serviceName",
            startDate=datetime(2020, 5, 1, 12, 0),
            extraProperties=Properties(extra="extra"),
        ),
    )
    assert event.post() is event
    assert event.id
    stored = node.get_event(id=event.id)
    assert stored.customerId == customer.id
    assert stored.properties.serviceName == "serviceName"
    # A naive datetime is local time, sent (and stored) as its instant in UTC.
    started = parse_instant(stored.properties.startDate)
    assert started == datetime(2020, 5, 1, 12, 0).astimezone(timezone.utc)

    session_id = node.create_session_id()
    anonymous = Event(
        node=node,
        bringBackProperties=Properties(type="SESSION_ID", value=session_id),
        type=Event.TYPES.ADDED_WISH_LIST,
        context=Event.CONTEXTS.ECOMMERCE,
        properties=Properties(name="cape"),
    ).post()
    assert node.get_event(id=anonymous.id).type == "addedWishlist"
    node.add_customer_session(customer_id=customer.id, session_id=session_id)
    deadline = time.monotonic() + 10
    while len(customer.get_events()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert {e.type for e in customer.get_events()} == {"serviceSubscribed", "addedWishlist"}


def test_event_with_the_guides_external_id_spelling(node: Node) -> None:
    customer = Customer(node=node, externalId="e_id")
    customer.base.contacts.email = "ext@example.com"
    customer.post()
    event = Event(
        node=node,
        bringBackProperties=Properties(type="externalId", value="e_id"),
        type=Event.TYPES.LOGGED_IN,
        context=Event.CONTEXTS.WEB,
        properties=Properties(),
    ).post()
    stored = node.get_event(id=event.id)
    assert stored.bringBackProperties.type == "EXTERNAL_ID"
    assert stored.bringBackProperties.nodeId == node.node_id
    assert stored.customerId == customer.id


def emails(customers: object) -> set[str]:
    return {c.base.contacts.email for c in customers}  # type: ignore[attr-defined]


def test_simple_and_combined_queries_select_the_right_customers(node: Node) -> None:
    bruce = stored_customer(node, "bruce@q.com", firstName="Bruce", lastName="Wayne",
                            dob="1970-02-19")  # fmt: skip
    stored_customer(node, "thomas@q.com", firstName="Thomas", lastName="Wayne", dob="1940-01-01")
    stored_customer(node, "clark@q.com", firstName="Clark", lastName="Kent", dob="1978-06-18")
    bruce.tags.manual = ["vip"]
    bruce.patch()

    query = node.query(Customer)
    assert emails(query.filter(Customer.base.lastName == "Wayne").all()) == {
        "bruce@q.com",
        "thomas@q.com",
    }
    both = query.filter((Customer.base.firstName == "Bruce") & (Customer.base.lastName == "Wayne"))
    assert emails(both.all()) == {"bruce@q.com"}
    either = query.filter(
        (Customer.base.firstName == "Bruce") | (Customer.base.firstName == "Clark")
    )
    assert emails(either.all()) == {"bruce@q.com", "clark@q.com"}
    assert emails(query.filter(Customer.base.dob > datetime(1960, 1, 1)).all()) == {
        "bruce@q.com",
        "clark@q.com",
    }
    born = between_(Customer.base.dob, datetime(1950, 1, 1), datetime(1975, 1, 1))
    assert emails(query.filter(born).all()) == {"bruce@q.com"}
    assert emails(query.filter(in_("vip", Customer.tags.manual)).all()) == {"bruce@q.com"}
    assert emails(query.filter(not_in_("vip", Customer.tags.manual)).all()) == {
        "thomas@q.com",
        "clark@q.com",
    }
    assert emails(query.filter(Customer.base.middleName == None).all()) == {  # noqa: E711
        "bruce@q.com",
        "thomas@q.com",
        "clark@q.com",
    }

    waynes = query.filter(Customer.base.lastName == "Wayne")
    old = query.filter(Customer.base.dob < "1960-01-01")
    assert emails((waynes & old).all()) == {"thomas@q.com"}
    kents = query.filter(Customer.base.lastName == "Kent")
    assert emails((old | kents).all()) == {"thomas@q.com", "clark@q.com"}

    ordered = query.filter(Customer.base.lastName != None).sort(  # noqa: E711
        Customer.base.firstName, "desc"
    )
    assert [c.base.firstName for c in ordered.all()] == ["Thomas", "Clark", "Bruce"]
    second_page = query.sort("base.firstName").all(page=1, size=2)
    assert [c.base.firstName for c in second_page] == ["Thomas"]
