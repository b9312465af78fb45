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
