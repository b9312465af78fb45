"""``contacthub updates``: the change feed as JSON Lines, resumable from the file it wrote."""

from __future__ import annotations

import json
from pathlib import Path

from cliharness import Run

from contacthub.testing import Hub


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_updates_writes_every_change_and_resumes_after_the_last_offset(
    hub: Hub, run: Run, tmp_path: Path
) -> None:
    node = hub.workspace().get_node(hub.node_id)
    first = node.add_customer(externalId="a")
    node.add_customer(externalId="b")
    path = tmp_path / "changes.jsonl"
    assert run("updates", "-o", str(path), creds=hub).code == 0
    lines = _lines(path)
    assert [line["entity"]["data"]["externalId"] for line in lines] == ["a", "b"]  # type: ignore[index]
    assert "nextOffset" not in lines[0]
    assert lines[-1]["nextOffset"] == 2

    node.delete_customer(first.id)
    # A crash mid-page left a partial line after the last complete page: it is dropped.
    with path.open("a") as handle:
        handle.write('{"operation": "CRE')
    assert run("updates", "-o", str(path), creds=hub).code == 0
    lines = _lines(path)
    assert [line["operation"] for line in lines] == ["CREATE", "CREATE", "DELETE"]
    assert lines[-1]["nextOffset"] == 3
    assert run("updates", "-o", str(path), creds=hub).code == 0
    assert len(_lines(path)) == 3  # nothing new: nothing written twice


def test_updates_to_standard_output_from_an_offset(hub: Hub, run: Run) -> None:
    node = hub.workspace().get_node(hub.node_id)
    for name in ("a", "b", "c"):
        node.add_customer(externalId=name)
    result = run("updates", "--offset", "1", creds=hub)
    assert result.code == 0
    names = [json.loads(line)["entity"]["data"]["externalId"] for line in result.out.splitlines()]
    assert names == ["b", "c"]
    bad = run("updates", "--offset", "-3", creds=hub)
    assert bad.code == 2
    assert "--offset" in bad.err
