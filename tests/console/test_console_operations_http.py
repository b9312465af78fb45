"""The console's operator pages over HTTP, on both backends: requests, faults, reset."""

from __future__ import annotations

import re

import pytest
import requests

from conftest import ConsoleHub


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/console/requests"),
        ("GET", "/console/requests/1"),
        ("POST", "/console/requests/clear"),
        ("GET", "/console/w/{ws}/faults"),
        ("POST", "/console/w/{ws}/faults"),
        ("POST", "/console/w/{ws}/faults/off"),
        ("POST", "/console/reset"),
    ],
)
def test_the_operator_pages_need_a_session(console_hub: ConsoleHub, method: str, path: str) -> None:
    token = {"Authorization": f"Bearer {console_hub.credentials.token}"}
    url = console_hub.url + path.format(ws=console_hub.ws)
    reply = requests.request(
        method, url, headers=token, data={"all": "1"}, allow_redirects=False, timeout=10
    )
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/console/login")
    # Nothing happened: the workspace's data and faults are as they were.
    assert (
        console_hub.api(
            "GET", "/customers", params={"nodeId": console_hub.credentials.node_id}
        ).status_code
        == 200
    )


def test_the_requests_page_lists_and_filters_and_opens_a_request(console_hub: ConsoleHub) -> None:
    created = console_hub.customer(externalId="ada", base={"firstName": "Ada"})
    console_hub.api("GET", "/customers/nobody")
    browser = console_hub.signed_in()
    page = browser.get(f"{console_hub.url}/console/requests", params={"workspace": console_hub.ws})
    assert page.status_code == 200
    ids = re.findall(r'<tr data-id="(\d+)" data-status="(\w+)"', page.text)
    assert [status for _, status in ids] == ["404", "201"]
    only_404 = browser.get(
        f"{console_hub.url}/console/requests",
        params={"workspace": console_hub.ws, "status": "4xx"},
    )
    assert re.findall(r'data-status="(\w+)"', only_404.text) == ["404"]
    posts = browser.get(
        f"{console_hub.url}/console/requests",
        params={"workspace": console_hub.ws, "method": "POST", "path": "/customers"},
    )
    assert re.findall(r'data-status="(\w+)"', posts.text) == ["201"]
    bad = browser.get(f"{console_hub.url}/console/requests", params={"status": "4x"})
    assert bad.status_code == 400
    assert "status must be" in bad.text

    post_id = ids[1][0]
    detail = browser.get(f"{console_hub.url}/console/requests/{post_id}")
    assert detail.status_code == 200
    assert "&#34;externalId&#34;: &#34;ada&#34;" in detail.text  # the body, pretty-printed
    assert created["id"] in detail.text
    assert "Bearer ***" in detail.text
    assert console_hub.credentials.token not in detail.text
    assert browser.get(f"{console_hub.url}/console/requests/999999").status_code == 404

    cleared = browser.post(
        f"{console_hub.url}/console/requests/clear", data={"workspace": console_hub.ws}
    )
    assert "Forgot 2 requests" in cleared.text
    assert "No requests" in cleared.text


def test_the_faults_page_sets_shows_and_turns_off_faults(console_hub: ConsoleHub) -> None:
    browser = console_hub.signed_in()
    url = f"{console_hub.url}/console/w/{console_hub.ws}/faults"
    page = browser.get(url)
    assert page.status_code == 200
    assert "follows the hub-wide settings" in page.text
    saved = browser.post(url, data={"rate": "1", "latencyMs": "0", "statuses": ["503"]})
    assert saved.status_code == 200
    assert "Saved." in saved.text
    assert "faults of its own" in saved.text
    listed = console_hub.api(
        "GET", "/customers", params={"nodeId": console_hub.credentials.node_id}
    )
    assert listed.status_code == 503
    home = browser.get(f"{console_hub.url}/console/")
    assert "faults on" in home.text
    off = browser.post(url + "/off")
    assert "Faults turned off." in off.text
    listed = console_hub.api(
        "GET", "/customers", params={"nodeId": console_hub.credentials.node_id}
    )
    assert listed.status_code == 200


def test_bad_fault_settings_are_shown_with_every_problem(console_hub: ConsoleHub) -> None:
    browser = console_hub.signed_in()
    url = f"{console_hub.url}/console/w/{console_hub.ws}/faults"
    refused = browser.post(url, data={"rate": "two", "latencyMs": "-5"})
    assert refused.status_code == 400
    for pointer in ("/rate", "/latencyMs", "/statuses"):
        assert f"<code>{pointer}</code>" in refused.text
    assert 'value="two"' in refused.text  # what was typed is kept
    assert "follows the hub-wide settings" in refused.text
    assert browser.get(f"{console_hub.url}/console/w/nowhere/faults").status_code == 404


def test_reset_one_workspace_or_all_from_the_home_page(console_hub: ConsoleHub) -> None:
    console_hub.customer(externalId="a")
    other = console_hub.server.provision()
    other_url = f"{console_hub.server.base_url}/workspaces/{other.workspace_id}/customers"
    other_headers = {"Authorization": f"Bearer {other.token}"}
    body = {"nodeId": other.node_id, "externalId": "b"}
    assert requests.post(other_url, json=body, headers=other_headers, timeout=10).status_code == 201
    browser = console_hub.signed_in()
    home = browser.get(f"{console_hub.url}/console/")
    assert 'action="/console/reset"' in home.text
    assert "data-confirm=" in home.text

    done = browser.post(f"{console_hub.url}/console/reset", data={"workspace": console_hub.ws})
    assert done.status_code == 200
    assert f"Reset workspace {console_hub.ws}" in done.text
    node = console_hub.credentials.node_id
    listed = console_hub.api("GET", "/customers", params={"nodeId": node}).json()
    assert listed["elements"] == []
    kept = requests.get(other_url, params={"nodeId": other.node_id}, headers=other_headers)
    assert len(kept.json()["elements"]) == 1

    everything = browser.post(f"{console_hub.url}/console/reset", data={"all": "1"})
    assert "Reset every workspace" in everything.text
    gone = requests.get(other_url, params={"nodeId": other.node_id}, headers=other_headers)
    assert gone.json()["elements"] == []
    assert browser.post(f"{console_hub.url}/console/reset", data={}).status_code == 400
