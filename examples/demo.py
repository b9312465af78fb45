"""A tour of the ContactHub SDK against an embedded local hub: run it with `./dev demo`.

It starts the hub (the same server as `contacthub serve`) on a temporary SQLite database, then
uses the SDK as an application would: customers, queries, updates, tags, items, events with an
anonymous session, paging and errors. Nothing leaves this machine.

`./dev demo --keep` leaves the hub running at the end, with the tour's data, so that you can look
at it in the web console (the URL and admin key are printed); Ctrl-C stops it.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from contacthub import APIError, Customer, Education, Event, Node, Properties, Workspace
from contacthub_server.runner import HubServer
from contacthub_server.settings import HubSettings


def step(title: str) -> None:
    print(f"\n== {title}")


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    admin_key = secrets.token_urlsafe(16)
    settings = HubSettings(admin_key=admin_key)
    with tempfile.TemporaryDirectory() as tmp:
        settings.database_url = str(Path(tmp) / "demo.db")
        with HubServer(settings) as hub:
            creds = hub.provision()
            print(f"hub running at {hub.base_url} (workspace {creds.workspace_id})")
            with Workspace(creds.workspace_id, creds.token, base_url=hub.base_url) as workspace:
                node = workspace.get_node(creds.node_id)
                tour(node)
            if keep:
                step("the hub stays up: look at the tour's data in the web console")
                print(f"open {hub.url}/console/ and log in with the admin key {admin_key}")
                print("press Ctrl-C to stop the hub")
                try:
                    threading.Event().wait()
                except KeyboardInterrupt:
                    print()
    print("\ndone: the hub has stopped and its database is gone")
    if not keep:
        print("to look at the data in the web console, run `./dev demo --keep`")
    return 0


def tour(node: Node) -> None:
    step("add customers")
    people = [
        ("Bruce", "Wayne", "bruce@wayne.example"),
        ("Clark", "Kent", "clark@planet.example"),
        ("Diana", "Prince", "diana@themyscira.example"),
        ("Barry", "Allen", "barry@ccpd.example"),
    ]
    for first, last, email in people:
        c = node.add_customer(
            base={"firstName": first, "lastName": last, "contacts": {"email": email}}
        )
        print(f"added {c.base.firstName} {c.base.lastName} as {c.id}")
    post = Customer(node=node)
    post.base.firstName = "Arthur"
    post.base.contacts.email = "arthur@atlantis.example"
    post.extended.trident = "yes"
    arthur = post.post()
    print(f"posted a Customer object: {arthur.base.firstName} ({arthur.id})")

    step("query")
    found = (
        node.query(Customer)
        .filter((Customer.base.firstName == "Bruce") & (Customer.base.lastName == "Wayne"))
        .all()
    )
    bruce = found[0]
    print(
        f"query firstName == Bruce and lastName == Wayne: {[c.base.contacts.email for c in found]}"
    )
    print(f"by email: {node.get_customer_by_email('diana@themyscira.example').base.firstName}")

    step("partial update through the mutation tracker")
    bruce.base.contacts.email = "batman@cave.example"
    print(f"changes: {bruce.get_mutation_tracker()}")
    updated = node.update_customer(**bruce.get_mutation_tracker())
    print(f"stored email: {updated.base.contacts.email}, last name kept: {updated.base.lastName}")

    step("tags")
    node.add_tag(bruce.id, "vip")
    node.add_tag(bruce.id, "night-shift")
    node.remove_tag(bruce.id, "night-shift")
    print(f"manual tags: {list(node.get_customer(id=bruce.id).tags.manual)}")

    step("an education")
    node.add_education(
        customer_id=bruce.id,
        id="ed1",
        schoolType=Education.SCHOOL_TYPES.COLLEGE,
        schoolName="Gotham University",
        isCurrent=False,
        startYear=1990,
        endYear=1994,
    )
    education = node.get_education(customer_id=bruce.id, education_id="ed1")
    print(f"education: {education.schoolName} ({education.startYear}-{education.endYear})")

    step("events, an anonymous session and its reconciliation")
    session_id = node.create_session_id()
    when = datetime.now(timezone.utc) - timedelta(minutes=5)
    for page in ("/", "/gadgets"):
        Event(
            node=node,
            bringBackProperties=Properties(type="SESSION_ID", value=session_id),
            type=Event.TYPES.VIEWED_PAGE,
            context=Event.CONTEXTS.WEB,
            date=when,
            properties=Properties(title=f"page {page}", url=f"https://shop.example{page}"),
        ).post()
    print(f"events of Bruce before login: {node.get_events(customer_id=bruce.id).total_elements}")
    node.add_customer_session(customer_id=bruce.id, session_id=session_id)
    node.add_event(
        customerId=bruce.id, type=Event.TYPES.LOGGED_IN, context=Event.CONTEXTS.WEB, properties={}
    )
    events = node.get_events(customer_id=bruce.id)
    print(f"after login: {[e.type for e in events]}")

    step("paging")
    page = node.get_customers(size=2)
    print(f"{page.total_elements} customers in {page.total_pages} pages of {page.size}")
    while True:
        print(f"  page {page.page_number}: {[c.base.firstName for c in page]}")
        if not page.has_next_page:
            break
        page = page.next_page()
    everyone = node.iter_customers(sort="base.firstName")  # fetches page after page lazily
    print(f"every customer, lazily: {[c.base.firstName for c in everyone]}")

    step("errors")
    try:
        node.add_customer(base={"contacts": {"email": "clark@planet.example"}})
    except APIError as error:
        print(f"duplicate email -> {error.status_code}: {error.message}")
    forced = node.add_customer(
        base={"firstName": "Kal-El", "contacts": {"email": "clark@planet.example"}},
        force_update=True,
    )
    print(f"with force_update the existing customer is updated: {forced.base.firstName}")
    try:
        node.get_customer(id="no-such-customer")
    except APIError as error:
        print(f"unknown id -> {error.status_code}: {error.message}")
    try:
        node.remove_tag(bruce.id, "not-a-tag")
    except ValueError as error:
        print(f"remove_tag of a missing tag -> ValueError: {error}")

    step("delete")
    deleted = node.delete_customer(**node.get_customer(id=arthur.id).to_dict())
    print(f"deleted {deleted.base.firstName}; {node.get_customers().total_elements} customers left")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
