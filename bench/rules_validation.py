"""How long the hub's document rules take per request: validate + normalise a customer, an
event, and apply a PATCH (merge + validate + normalise).

Run: ``./dev bench rules_validation``. Pure CPU work, no I/O; the figures are per call, best of
15 repeats of 1,000 calls (the machine is shared: the best run is the least disturbed one).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from contacthub_server.schemas.normalise import normalise_customer, normalise_event
from contacthub_server.service.merge import merge_patch
from contacthub_server.service.validation import validate_customer, validate_event

TYPICAL_CUSTOMER: dict[str, Any] = {
    "nodeId": "3f7c2a9e-0000-4000-8000-000000000001",
    "externalId": "crm-000123",
    "base": {
        "firstName": "Mario",
        "lastName": "Rossi",
        "dob": "1980-05-10",
        "locale": "it_IT",
        "timezone": "Europe/Rome",
        "contacts": {
            "email": "mario.rossi@example.com",
            "mobilePhone": "+393331234567",
            "otherContacts": [{"name": "work", "type": "EMAIL", "value": "m.rossi@work.example"}],
            "mobileDevices": [{"identifier": "abc", "type": "IOS", "notificationService": "APN"}],
        },
        "address": {"city": "Milano", "country": "Italy", "geo": {"lat": 45.46, "lon": 9.19}},
        "educations": [{"id": "e1", "schoolType": "COLLEGE", "startYear": 1999}],
        "likes": [{"id": "l1", "name": "pizza", "createdTime": "2017-03-08T10:18:17Z"}],
        "jobs": [{"id": "j1", "jobTitle": "engineer", "startDate": "2010-01-01"}],
        "subscriptions": [{"id": "s1", "kind": "SERVICE", "subscribed": True}],
    },
    "extended": {"points": 120, "segment": "gold", "history": [{"year": 2020, "spent": 99.5}]},
    "consents": {
        "disclaimer": {"date": "2018-05-25T14:05:00.000Z", "version": "v2"},
        "marketing": {"automatic": {"email": {"status": True, "limitation": False}}},
    },
    "tags": {"auto": ["buyer"], "manual": ["vip", "newsletter"]},
}
TYPICAL_EVENT: dict[str, Any] = {
    "customerId": "c-1",
    "type": "completedOrder",
    "context": "ECOMMERCE",
    "date": "2017-03-08T10:18:17.215+0000",
    "properties": {
        "orderId": "o-1",
        "type": "sale",
        "paymentMethod": "creditcard",
        "amount": {"total": 99.9, "revenue": 80, "tax": 19.9, "local": {"currency": "EUR"}},
        "products": [
            {"id": f"p{i}", "price": 9.99, "quantity": 1, "category": ["a"]} for i in range(5)
        ],
    },
    "contextInfo": {"client": {"ip": "10.0.0.1", "userAgent": "bench"}, "store": {"id": "s1"}},
}
STORED = normalise_customer({**validate_customer(TYPICAL_CUSTOMER), "id": "c-1"})
PATCH = {"base": {"firstName": "Luigi", "contacts": {"phone": "02 1234"}}, "tags": {"manual": []}}


def apply_patch() -> dict[str, Any]:
    """What PATCH costs in rules: merge, validate the result, normalise it."""
    return normalise_customer(validate_customer(merge_patch(STORED, PATCH)))


def measure(name: str, function: Callable[[], Any], calls: int = 1000, repeats: int = 15) -> None:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - start) / calls)
    print(f"| {name} | {best * 1e6:.0f} µs | {1 / best:,.0f} |")


def main() -> None:
    print("| operation | time per call (best of 15) | calls/s on one core |")
    print("|---|---|---|")
    measure("validate_customer (typical)", lambda: validate_customer(TYPICAL_CUSTOMER))
    measure(
        "validate + normalise customer (POST)",
        lambda: normalise_customer(validate_customer(TYPICAL_CUSTOMER)),
    )
    measure("merge + validate + normalise (PATCH)", apply_patch)
    measure(
        "validate + normalise event (completedOrder)",
        lambda: normalise_event(validate_event(TYPICAL_EVENT)),
    )


if __name__ == "__main__":
    main()
