"""CPU time to turn an API page of 50 customers into Customer objects, read them and dump them.

For each customer of a page (the hub's full response shape, contract §6.2): build it with
``Customer.from_dict(node, element)``, read ten attributes (nested ones, a list, a job item)
and call ``to_dict()``. The same worker code runs in two subprocesses, one importing our SDK,
one the original (contacthub-sdk-python 0.2, in bench/.venv-original, built on first use by
_original_sdk.py). Each reports the best of ``--repeats`` runs of ``--pages`` pages, measured
with ``time.process_time`` (JSON parsing is done before the clock starts: it is the same for
both).

Run: ``./dev bench parse_customers`` (options: --repeats N, --pages N).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from _original_sdk import OUR_PYTHON, original_python, run_python

WORKER = r"""
import json, sys, time
from contacthub import Workspace
from contacthub.models.customer import Customer

path, repeats, pages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = open(path).read()
node = Workspace(workspace_id="ws", token="token").get_node(node_id="node")


def work(elements):
    total = 0
    for element in elements:
        c = Customer.from_dict(node, element)
        values = (
            c.id,
            c.externalId,
            c.base.firstName,
            c.base.lastName,
            c.base.contacts.email,
            c.base.address.city,
            c.base.dob,
            c.tags.manual,
            c.extended.points,
            c.base.jobs[0].jobTitle,
        )
        total += len(values) + len(c.to_dict())
    return total


check = json.loads(text)["elements"]
round_trip = [Customer.from_dict(node, e).to_dict() for e in json.loads(text)["elements"]]
best = float("inf")
times = []
for _ in range(repeats):
    batch = [json.loads(text)["elements"] for _ in range(pages)]
    start = time.process_time()
    for elements in batch:
        work(elements)
    elapsed = (time.process_time() - start) / pages
    times.append(elapsed)
    best = min(best, elapsed)
times.sort()
print(json.dumps({
    "best_ms": best * 1000,
    "median_ms": times[len(times) // 2] * 1000,
    "round_trip_equal": round_trip == check,
}))
"""

FIRST = ["Bruce", "Diana", "Clark", "Selina", "Alfred", "Barbara", "Lucius", "Harvey", "Pamela"]
LAST = ["Wayne", "Prince", "Kent", "Kyle", "Pennyworth", "Gordon", "Fox", "Dent", "Isley"]
CITIES = ["Milano", "Roma", "Torino", "Napoli", "Bologna", "Firenze"]


def consent(rng: random.Random) -> dict[str, Any]:
    return {"status": rng.random() < 0.5, "limitation": False, "objection": False}


def customer(rng: random.Random, index: int) -> dict[str, Any]:
    """One customer as the hub returns it: every base key present, nulls and empty lists."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first.lower()}.{last.lower()}{index}@example.com"
    return {
        "id": f"{index:08d}-53c4-4029-8388-1938efa2090c",
        "nodeId": "91316725-a4c2-420b-a3f3-2556b3630444",
        "externalId": f"ext-{index}",
        "extra": None,
        "registeredAt": "2017-02-28T16:02:52.504+0000",
        "updatedAt": "2017-03-02T17:06:45.962+0000",
        "enabled": True,
        "base": {
            "pictureUrl": None,
            "title": None,
            "prefix": None,
            "firstName": first,
            "lastName": last,
            "middleName": None,
            "gender": rng.choice(["male", "female", None]),
            "dob": f"19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "locale": "it_IT",
            "timezone": "Europe/Rome",
            "contacts": {
                "email": email,
                "fax": None,
                "mobilePhone": f"+39 3{rng.randint(10**8, 10**9 - 1)}",
                "phone": None,
                "otherContacts": [{"name": "work", "type": "EMAIL", "value": f"w{index}@corp.it"}],
                "mobileDevices": [
                    {
                        "identifier": f"dev-{index}",
                        "appId": "app",
                        "name": "phone",
                        "type": "IOS",
                        "notificationService": "APN",
                    }
                ],
            },
            "address": {
                "street": f"Via Roma {index}",
                "city": rng.choice(CITIES),
                "country": "Italy",
                "province": "MI",
                "region": None,
                "zip": "20100",
                "geo": {"lat": 45.46, "lon": 9.19},
            },
            "credential": None,
            "educations": [
                {
                    "id": f"ed-{index}",
                    "schoolType": "COLLEGE",
                    "schoolName": "Politecnico",
                    "schoolConcentration": "Engineering",
                    "startYear": 2000,
                    "endYear": 2005,
                    "isCurrent": False,
                }
            ],
            "likes": [
                {
                    "id": f"like-{index}",
                    "category": "music",
                    "name": "jazz",
                    "createdTime": "2017-03-02T17:06:45.962+0000",
                }
            ],
            "socialProfile": None,
            "jobs": [
                {
                    "id": f"job-{index}",
                    "companyIndustry": "IT",
                    "companyName": "ACME",
                    "jobTitle": rng.choice(["developer", "manager", "designer"]),
                    "startDate": "2010-01-01",
                    "endDate": None,
                    "isCurrent": True,
                }
            ],
            "subscriptions": [
                {
                    "id": f"sub-{index}",
                    "name": "newsletter",
                    "type": "news",
                    "kind": "DIGITAL_MESSAGE",
                    "subscribed": True,
                    "startDate": None,
                    "endDate": None,
                    "subscriberId": email,
                    "registeredAt": "2017-03-02T17:06:45.962+0000",
                    "updatedAt": None,
                    "preferences": [{"key": "frequency", "value": "weekly"}],
                }
            ],
        },
        "extended": {"points": rng.randint(0, 1000), "segment": "gold", "prefs": {"color": "blue"}},
        "consents": {
            "disclaimer": {"date": "2018-05-25T14:05:00.000+0000", "version": "v1"},
            "marketing": {
                "traditional": {"telephonic": consent(rng), "papery": consent(rng)},
                "automatic": {
                    k: consent(rng) for k in ("sms", "email", "push", "im", "telephonic")
                },
            },
            "profiling": {"classic": consent(rng), "online": consent(rng)},
            "softSpam": {"email": consent(rng), "papery": consent(rng)},
            "thirdPartyTransfer": {"profiling": consent(rng), "marketing": consent(rng)},
        },
        "tags": {
            "auto": ["active"],
            "manual": rng.sample(["vip", "newsletter", "b2b", "promo"], 2),
        },
    }


def page(size: int = 50, seed: int = 7) -> dict[str, Any]:
    """An API page envelope of ``size`` customers."""
    rng = random.Random(seed)
    elements = [customer(rng, index) for index in range(size)]
    return {
        "elements": elements,
        "page": {
            "size": size,
            "totalElements": size,
            "totalUnfilteredElements": 0,
            "totalPages": 1,
            "number": 0,
        },
    }


def main() -> None:
    """Run both SDKs on the same page, alternating rounds, and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per round")
    parser.add_argument("--pages", type=int, default=20, help="pages per timed run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per SDK")
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {"ours": [], "original": []}
    pythons = {"ours": OUR_PYTHON, "original": original_python()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.json"
        path.write_text(json.dumps(page()))
        argv = (str(path), str(args.repeats), str(args.pages))
        # Rounds alternate between the SDKs so that both see the same (shared, noisy) machine.
        for _ in range(args.rounds):
            for name, python in pythons.items():
                results[name].append(json.loads(run_python(python, WORKER, *argv)))
    ours = min(results["ours"], key=lambda r: r["best_ms"])
    theirs = min(results["original"], key=lambda r: r["best_ms"])
    ratio = ours["best_ms"] / theirs["best_ms"]
    runs = f"best of {args.rounds} rounds x {args.repeats} runs x {args.pages} pages"
    print(f"page of 50 customers: from_dict + 10 reads + to_dict ({runs})")
    for label, result in (("ours", ours), ("original", theirs)):
        print(
            f"  {label:9s} {result['best_ms']:7.3f} ms/page (median of its round "
            f"{result['median_ms']:.3f}); to_dict(from_dict(x)) == x: {result['round_trip_equal']}"
        )
    print(f"  ours / original = {ratio:.3f} (target <= 0.333)")


if __name__ == "__main__":
    main()
