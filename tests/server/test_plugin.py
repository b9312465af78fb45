"""The pytest plugin as a user's own test suite sees it: ``hub`` and ``node`` with no setup."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TESTS = """
import requests


def test_node_starts_empty_and_writes_are_visible(node):
    assert list(node.get_customers()) == []
    node.add_customer(base={"contacts": {"email": "ada@example.com"}})
    assert [c.base.contacts.email for c in node.get_customers()] == ["ada@example.com"]


def test_each_test_gets_a_fresh_workspace(node):
    assert list(node.get_customers()) == []


def test_raw_http_with_the_hub_fixture(hub):
    url = f"{hub.workspace_url}/customers"
    reply = requests.get(url, params={"nodeId": hub.node_id}, headers=hub.headers, timeout=10)
    assert reply.status_code == 200
    assert reply.json()["elements"] == []
    assert hub.base_url == hub.url + "/hub/v1"


def test_the_server_can_provision_more(hub):
    other = hub.server.provision()
    assert other.workspace_id != hub.workspace_id
"""


def test_a_users_suite_gets_working_hub_and_node_fixtures(tmp_path: Path) -> None:
    (tmp_path / "test_user_suite.py").write_text(USER_TESTS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user_suite.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


FAULTS_AND_REQUESTS = """
import pytest
import requests
from contacthub import APIError, RetryPolicy, Workspace


def test_requests_lists_what_this_test_sent(hub, node):
    assert hub.requests == []
    customer = node.add_customer(externalId="ada", base={"firstName": "Ada"})
    node.get_customer(id=customer.id)
    sent = hub.requests
    assert [(r.method, r.endpoint, r.status) for r in sent] == [
        ("POST", "/customers", 201),
        ("GET", f"/customers/{customer.id}", 200),
    ]
    assert sent[0].json()["externalId"] == "ada"
    assert sent[0].response_json()["id"] == customer.id
    assert sent[0].headers["authorization"] == "Bearer ***"
    assert hub.token not in repr(sent)


def test_another_workspace_is_not_in_this_tests_requests(hub):
    other = hub.server.provision()
    url = f"{hub.base_url}/workspaces/{other.workspace_id}/customers"
    headers = {"Authorization": f"Bearer {other.token}"}
    requests.get(url, params={"nodeId": other.node_id}, headers=headers, timeout=10)
    assert hub.requests == []


def test_faults_fail_this_workspace_until_the_block_ends(hub):
    no_retry = RetryPolicy(attempts=1)
    with Workspace(hub.workspace_id, hub.token, base_url=hub.base_url, retry=no_retry) as ws:
        node = ws.get_node(hub.node_id)
        with hub.faults(rate=1.0, statuses=[503]):
            with pytest.raises(APIError) as caught:
                node.get_customers()
            assert caught.value.status_code == 503
        assert node.get_customers().total_elements == 0
    assert [r.status for r in hub.requests] == [503, 200]
    assert hub.requests[0].fault == 503


def test_latency_is_logged(hub, node):
    with hub.faults(latency_ms=200):
        node.get_customers()
    assert hub.requests[-1].latency_ms >= 200


def test_bad_fault_settings_raise_value_error(hub):
    with pytest.raises(ValueError, match="rate"):
        with hub.faults(rate=2.0):
            pass
"""


def test_the_plugin_injects_faults_and_lists_the_tests_requests(tmp_path: Path) -> None:
    (tmp_path / "test_user_faults.py").write_text(FAULTS_AND_REQUESTS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user_faults.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout


DELAY_TESTS = """
def test_index_delay_hides_the_tests_writes_from_listings(hub, node):
    with hub.index_delay(5000):
        customer = node.add_customer(base={"contacts": {"email": "ada@example.com"}})
        assert node.get_customer(id=customer.id).base.contacts.email == "ada@example.com"
        assert list(node.get_customers()) == []
    # After the block, new writes are listed at once; the one made inside keeps its delay.
    later = node.add_customer(base={"contacts": {"email": "grace@example.com"}})
    assert [c.id for c in node.get_customers()] == [later.id]


def test_other_tests_are_not_delayed(node):
    customer = node.add_customer(base={"contacts": {"email": "ada@example.com"}})
    assert [c.id for c in node.get_customers()] == [customer.id]
"""


def test_a_users_suite_can_turn_the_indexing_delay_on_for_one_test(tmp_path: Path) -> None:
    (tmp_path / "test_user_delay.py").write_text(DELAY_TESTS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user_delay.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
