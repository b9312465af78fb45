"""``contacthub customers|events export``, ``customers get|query`` and ``serve`` delegation."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cliharness import Other, Run

from contacthub.testing import Hub


def _seed(hub: Hub, count: int) -> list[str]:
    node = hub.workspace().get_node(hub.node_id)
    rows = (
        {
            "externalId": f"x{i}",
            "base": {
                "firstName": f"N{i}",
                "contacts": {"email": f"n{i}@example.com"},
                "address": {"city": "Milano", "geo": {"lat": 45.25, "lon": 9.5}},
                "jobs": [{"id": f"job{i}", "companyName": "ACME", "isCurrent": True}],
            },
            "extended": {"score": i},
            "tags": {"manual": ["a", "b|c"] if i % 2 else ["a"]},
        }
        for i in range(count)
    )
    return [str(o.id) for o in node.bulk_add_customers(rows)]


def _comparable(customer: dict[str, Any]) -> dict[str, Any]:
    drop = {"id", "nodeId", "registeredAt", "updatedAt", "sourceInfo"}
    return {k: v for k, v in customer.items() if k not in drop}


def _export_jsonl(run: Run, creds: Any, path: Path) -> list[dict[str, Any]]:
    result = run("customers", "export", "--output", str(path), creds=creds)
    assert result.code == 0, result.err
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_export_streams_every_customer(run: Run, hub: Hub, tmp_path: Path) -> None:
    ids = _seed(hub, 120)
    exported = _export_jsonl(run, hub, tmp_path / "out.jsonl")
    assert sorted(c["id"] for c in exported) == sorted(ids)


def test_export_to_stdout_with_a_query(
    run: Run, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(hub, 4)
    query = {
        "type": "simple",
        "are": {
            "condition": {
                "type": "atomic",
                "attribute": "base.firstName",
                "operator": "IN",
                "value": ["N1", "N3"],
            }
        },
    }
    result = run("customers", "export", "--query", json.dumps(query), creds=hub)
    assert result.code == 0, result.err
    names = sorted(json.loads(line)["base"]["firstName"] for line in result.out.splitlines())
    assert names == ["N1", "N3"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_then_import_into_another_node_round_trips(
    run: Run, hub: Hub, other_node: Other, tmp_path: Path, fmt: str
) -> None:
    _seed(hub, 60)
    path = tmp_path / f"customers.{fmt}"
    result = run("customers", "export", "--output", str(path), creds=hub)
    assert result.code == 0, result.err
    assert f"60 written to {path}" in result.out
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8") as stream:
            header = next(csv.reader(stream))
        assert "base.contacts.email" in header
        assert "tags.manual" in header
        assert "extended.score:int" in header  # typed, so that it imports as a number
    imported = run("customers", "import", str(path), creds=other_node)
    assert imported.code == 0, imported.out + imported.err
    assert "60 created" in imported.out

    before = sorted(
        (_comparable(c) for c in _export_jsonl(run, hub, tmp_path / "a.jsonl")),
        key=lambda c: c["externalId"],
    )
    after = sorted(
        (_comparable(c) for c in _export_jsonl(run, other_node, tmp_path / "b.jsonl")),
        key=lambda c: c["externalId"],
    )
    assert after == before


def test_events_export_as_csv_and_by_customer(run: Run, hub: Hub, tmp_path: Path) -> None:
    ids = _seed(hub, 2)
    node = hub.workspace().get_node(hub.node_id)
    events = (
        {
            "customerId": ids[i % 2],
            "type": "viewedPage",
            "context": "WEB",
            "properties": {"title": f"t{i}", "pageTags": ["x", "y"]},
        }
        for i in range(70)
    )
    assert node.bulk_add_events(events).run().failed == 0
    path = tmp_path / "events.csv"
    result = run("events", "export", "--output", str(path), creds=hub)
    assert result.code == 0, result.err
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 70
    assert {row["properties.pageTags"] for row in rows} == {"x|y"}
    result = run("events", "export", "--customer-id", ids[0], creds=hub)
    assert len(result.out.splitlines()) == 35


def test_customers_get_and_query_print_json(run: Run, hub: Hub) -> None:
    ids = _seed(hub, 3)
    result = run("customers", "get", ids[0], creds=hub)
    assert result.code == 0
    assert json.loads(result.out)["id"] == ids[0]

    result = run("customers", "query", "--email", "n2@example.com", creds=hub)
    assert [c["externalId"] for c in json.loads(result.out)] == ["x2"]
    result = run("customers", "query", "--external-id", "x1", creds=hub)
    assert [c["base"]["firstName"] for c in json.loads(result.out)] == ["N1"]
    result = run("customers", "query", "--query", '{"type": "simple"', creds=hub)
    assert result.code == 2
    assert "--query is not valid JSON" in result.err

    missing = run("customers", "get", "no-such-id", creds=hub)
    assert missing.code == 1
    assert "404" in missing.err


def test_serve_hands_its_arguments_to_the_hub(run: Run) -> None:
    with pytest.raises(SystemExit) as exited:
        run("serve", "--help")
    assert exited.value.code == 0


def test_serve_without_the_server_extra_says_what_to_install(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "contacthub_server.serve", None)
    result = run("serve")
    assert result.code == 2
    assert "pip install 'contacthub[server]'" in result.err
