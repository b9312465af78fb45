"""The consent register over HTTP: one entry per changed consent, filters, paging, validation."""

from __future__ import annotations

import pytest
import requests
from hubclient import Api, assert_error

from contacthub.testing import Hub

EMAIL_OPT_IN = {"marketing": {"automatic": {"email": {"status": True, "limitation": None}}}}


def test_each_change_of_a_consent_is_logged_with_its_value_and_source(hub: Hub, api: Api) -> None:
    customer = api.customer(externalId="c1", consents=EMAIL_OPT_IN)
    cid = customer["id"]
    change = {"marketing": {"automatic": {"email": {"status": False, "objection": True}}}}
    assert api("PATCH", f"/customers/{cid}", json={"consents": change}).ok
    # A change elsewhere in the customer logs nothing.
    assert api("PATCH", f"/customers/{cid}", json={"base": {"firstName": "Ada"}}).ok
    reply = api("GET", "/consent-logs", params={"customerId": cid})
    assert reply.status_code == 200
    body = reply.json()
    assert body["page"]["totalElements"] == 3
    logs = body["elements"]
    prefix = "consents.marketing.automatic.email."
    assert [(log["type"], log["property"], log["value"]) for log in logs] == [
        ("CONSENT_CHANGED", prefix + "status", "true"),
        ("CONSENT_OBJECTED", prefix + "objection", "true"),  # one write: in path order
        ("CONSENT_CHANGED", prefix + "status", "false"),
    ]
    assert all(log["customerId"] == cid and log["sourceId"] == hub.node_id for log in logs)
    assert set(logs[0]) == {
        "id",
        "customerId",
        "date",
        "type",
        "property",
        "value",
        "sourceId",
        "userId",
    }
    one = api("GET", f"/consent-logs/{logs[2]['id']}")
    assert one.status_code == 200
    assert one.json() == logs[2]


def test_disclaimer_reads_and_forced_deletes_are_logged(hub: Hub, api: Api) -> None:
    disclaimer = {"disclaimer": {"date": "2026-01-02T10:00:00.000+0000", "version": "v2"}}
    cid = api.customer(externalId="d", consents=disclaimer)["id"]
    assert api("DELETE", f"/customers/{cid}").ok
    logs = api("GET", "/consent-logs", params={"customerId": cid, "sort": "date,desc"}).json()
    kinds = [(log["type"], log["property"]) for log in logs["elements"]]
    assert kinds[0] == ("FORCED_DELETE", None)
    assert sorted(kinds[1:]) == [
        ("DISCLAIMER_READ", "consents.disclaimer.date"),
        ("DISCLAIMER_READ", "consents.disclaimer.version"),
    ]
    only = api("GET", "/consent-logs", params={"type": "FORCED_DELETE"}).json()
    assert [log["customerId"] for log in only["elements"]] == [cid]


def test_filters_by_dates_and_property_and_pages(hub: Hub, api: Api) -> None:
    for i in range(3):
        api.customer(externalId=f"p{i}", consents=EMAIL_OPT_IN)
    everything = api("GET", "/consent-logs", params={"size": 2, "page": 1}).json()
    assert everything["page"] == {
        "size": 2,
        "totalElements": 3,
        "totalUnfilteredElements": 0,
        "totalPages": 2,
        "number": 1,
    }
    assert len(everything["elements"]) == 1
    today = api("GET", "/consent-logs").json()["elements"][0]["date"][:10]
    assert (
        api("GET", "/consent-logs", params={"startDate": today, "endDate": today}).json()["page"][
            "totalElements"
        ]
        == 3
    )
    assert api("GET", "/consent-logs", params={"endDate": "2000-01-01"}).json()["elements"] == []
    prop = "consents.marketing.automatic.email.status"
    assert (
        api("GET", "/consent-logs", params={"property": prop}).json()["page"]["totalElements"] == 3
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("startDate", "yesterday"),
        ("type", "CONSENT_FORGOTTEN"),
        ("sort", "property,asc"),
        ("size", "0"),
        ("uniqueKey", '{"email": "a@example.com"}'),
    ],
)
def test_bad_parameters_are_400_naming_them(hub: Hub, api: Api, name: str, value: str) -> None:
    body = assert_error(api("GET", "/consent-logs", params={name: value}), 400)
    assert body["errors"][0]["path"] == name


def test_unknown_or_other_workspace_logs_are_404_and_tokens_are_checked(hub: Hub, api: Api) -> None:
    api.customer(externalId="w", consents=EMAIL_OPT_IN)
    log_id = api("GET", "/consent-logs").json()["elements"][0]["id"]
    assert_error(api("GET", "/consent-logs/999999999"), 404)
    assert_error(api("GET", "/consent-logs/abc"), 404)
    other = hub.server.provision()
    url = f"{hub.base_url}/workspaces/{other.workspace_id}"
    headers = {"Authorization": f"Bearer {other.token}"}
    assert_error(requests.get(f"{url}/consent-logs/{log_id}", headers=headers, timeout=10), 404)
    listing = requests.get(f"{url}/consent-logs", headers=headers, timeout=10).json()
    assert listing["elements"] == []
    assert_error(requests.get(hub.workspace_url + "/consent-logs", timeout=10), 401)
    assert_error(
        requests.get(hub.workspace_url + "/consent-logs", headers=headers, timeout=10), 403
    )
