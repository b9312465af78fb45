"""User code with deliberate mistakes: mypy --strict must report each at its line.

Each line that must fail ends with ``# E: <code> [text]``: the error code mypy reports there and,
optionally, text its message must contain; the test compares them with mypy's output. (Inside
keyword arguments mypy reports a wrong nested key or value as ``arg-type`` on the argument; in an
annotated dictionary it names the key.) Nothing here runs.
"""

from __future__ import annotations

from contacthub import Node
from contacthub.types import CustomerDocument, EventDocument, ViewedPageProperties


def mistakes(node: Node) -> None:
    node.add_customer(extrnalId="wayne-001")  # E: call-arg did you mean "externalId"
    node.add_customer(base={"fristName": "Bruce"})  # E: arg-type
    node.add_customer(base={"firstName": 1972})  # E: arg-type
    node.add_customer(base={"contacts": {"emial": "b@wayne.example"}})  # E: arg-type
    node.add_customer(base={"address": {"geo": {"lat": 40.7}}})  # E: arg-type
    node.add_customer(tags={"manual": "vip"})  # E: arg-type
    node.add_customer(enabled="yes")  # E: arg-type
    node.update_customer("c-1", base={"dob": 19720219})  # E: arg-type
    node.add_education("c-1", schoolName="Gotham U")  # E: call-arg
    node.add_job("c-1", id="job", jobTitel="CEO")  # E: call-arg did you mean "jobTitle"
    node.update_like("c-1", "like", name=3)  # E: arg-type
    node.add_event(type="viewedPage", context="WEB")  # E: call-arg
    node.add_event(type="viewPage", context="WEB", properties={})  # E: arg-type
    node.add_event(type="viewedPage", context="web", properties={})  # E: arg-type
    page: ViewedPageProperties = {"url": "/", "titel": "Home"}  # E: typeddict-unknown-key "titel"
    bruce: CustomerDocument = {"base": {"lastName": ["Wayne"]}}  # E: typeddict-item
    visit: EventDocument = {"type": "viewedPage", "context": "WEB"}  # E: typeddict-item
    node.get_customer_sessions("c-1")[0]["valeu"]  # E: typeddict-item "valeu"
    print(page, bruce, visit)
