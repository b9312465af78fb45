"""``contacthub customers import`` / ``events import`` against the hub: rows, rejects, exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from cliharness import Run

from contacthub.testing import Hub


def _customers(hub: Hub) -> list[dict[str, Any]]:
    node = hub.workspace().get_node(hub.node_id)
    return list(node.export_customers())


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


HEADER = [
    "externalId",
    "base.firstName",
    "base.contacts.email",
    "base.address.geo.lat",
    "base.address.geo.lon",
    "enabled",
    "tags.manual",
    "extended.age:int",
]


def test_csv_import_maps_columns_and_exits_0(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "customers.csv",
        HEADER,
        [
            ["c1", "Ada", "ada@example.com", "45.5", "9", "true", "vip|new", "36"],
            ["c2", "Bob", "bob@example.com", "", "", "false", "", ""],
        ],
    )
    result = run("customers", "import", str(path), creds=hub)
    assert result.code == 0, result.err
    assert "2 created, 0 updated, 0 failed" in result.out
    assert "all 2 rows imported" in result.out
    stored = {c["externalId"]: c for c in _customers(hub)}
    ada = stored["c1"]
    assert ada["base"]["firstName"] == "Ada"
    assert ada["base"]["address"]["geo"] == {"lat": 45.5, "lon": 9}
    assert ada["enabled"] is True
    assert ada["tags"]["manual"] == ["vip", "new"]
    assert ada["extended"] == {"age": 36}
    assert stored["c2"]["enabled"] is False


def test_rejects_file_holds_each_failed_row_with_line_field_and_reason(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = _write_csv(
        tmp_path / "customers.csv",
        ["externalId", "base.contacts.email", "enabled", "base.dob"],
        [
            ["ok1", "one@example.com", "true", ""],
            ["bad-bool", "two@example.com", "perhaps", ""],
            ["too-many", "three@example.com", "true", "", "extra"],
            ["dup", "ONE@example.com", "true", ""],
            ["bad-dob", "five@example.com", "true", "31/12/1990"],
            ["ok2", "six@example.com", "false", ""],
        ],
    )
    rejects = tmp_path / "rejects.csv"
    result = run(
        "customers", "import", str(path), "--rejects", str(rejects), "--concurrency", "1", creds=hub
    )
    assert result.code == 1
    assert "2 created, 0 updated, 4 failed" in result.out
    assert str(rejects) in result.out
    with open(rejects, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    by_line = {int(row["_line"]): row for row in rows}
    assert sorted(by_line) == [3, 4, 5, 6]
    assert by_line[3]["_status"] == "invalid"
    assert by_line[3]["_field"] == "enabled"
    assert "'perhaps' is not a boolean" in by_line[3]["_error"]
    assert by_line[3]["externalId"] == "bad-bool"  # the original row, as it was
    assert "5 fields but the header has 4" in by_line[4]["_error"]
    assert by_line[5]["_status"] == "409"
    assert "Conflict" in by_line[5]["_error"]
    assert by_line[6]["_status"] == "400"
    assert by_line[6]["_field"] == "base.dob"
    assert {c["externalId"] for c in _customers(hub)} == {"ok1", "ok2"}


def test_a_fixed_rejects_file_imports_as_it_is(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "customers.csv",
        ["externalId", "base.dob"],
        [["a", "1990-12-31"], ["b", "31/12/1990"]],
    )
    rejects = tmp_path / "rejects.csv"
    assert run("customers", "import", str(path), "--rejects", str(rejects), creds=hub).code == 1
    text = rejects.read_text(encoding="utf-8").replace("31/12/1990", "1990-12-31")
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(text, encoding="utf-8")
    result = run("customers", "import", str(fixed), creds=hub)
    assert result.code == 0, result.out + result.err
    assert sorted(c["externalId"] for c in _customers(hub)) == ["a", "b"]


def test_json_lines_rejects_keep_the_original_object(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "customers.jsonl"
    path.write_text(
        '{"externalId": "j1", "base": {"firstName": "Jo"}}\n'
        "{not json\n"
        '{"base": {"dob": "yesterday"}, "externalId": "j3"}\n',
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.jsonl"
    result = run("customers", "import", str(path), "--rejects", str(rejects), creds=hub)
    assert result.code == 1
    entries = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [e["_line"] for e in sorted(entries, key=lambda e: e["_line"])] == [2, 3]
    broken = next(e for e in entries if e["_line"] == 2)
    assert broken["_raw"] == "{not json"
    assert "invalid JSON" in broken["_error"]
    refused = next(e for e in entries if e["_line"] == 3)
    assert refused["externalId"] == "j3"
    assert refused["_status"] == "400"


def test_without_a_rejects_file_failures_are_listed_on_stderr(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "c.csv", ["externalId", "enabled"], [["x", "nah"]])
    result = run("customers", "import", str(path), creds=hub)
    assert result.code == 1
    assert f"{path}, line 2, field enabled: 'nah' is not a boolean" in result.err


def test_force_update_updates_existing_customers(run: Run, hub: Hub, tmp_path: Path) -> None:
    first = _write_csv(
        tmp_path / "a.csv", ["base.contacts.email", "base.firstName"], [["x@example.com", "X"]]
    )
    assert run("customers", "import", str(first), creds=hub).code == 0
    second = _write_csv(
        tmp_path / "b.csv", ["base.contacts.email", "base.lastName"], [["x@example.com", "Y"]]
    )
    assert run("customers", "import", str(second), creds=hub).code == 1
    # The failed row is in doubt in the journal: --resume retries it (and only it).
    result = run("customers", "import", str(second), "--force-update", "--resume", creds=hub)
    assert result.code == 0
    assert "0 created, 1 updated, 0 failed" in result.out
    (stored,) = _customers(hub)
    assert (stored["base"]["firstName"], stored["base"]["lastName"]) == ("X", "Y")


def test_events_import_with_owner_shorthands(run: Run, hub: Hub, tmp_path: Path) -> None:
    customers = _write_csv(tmp_path / "c.csv", ["externalId"], [["e1"], ["e2"]])
    assert run("customers", "import", str(customers), creds=hub).code == 0
    events = _write_csv(
        tmp_path / "events.csv",
        ["externalId", "type", "context", "date", "properties.title", "properties.pageTags"],
        [
            ["e1", "viewedPage", "WEB", "2024-05-01T10:00:00Z", "Home", "a|b"],
            ["e2", "viewedPage", "WEB", "2024-05-01T10:01:00Z", "Cart", ""],
            ["e1", "noSuchType", "WEB", "2024-05-01T10:02:00Z", "Bad", ""],
        ],
    )
    rejects = tmp_path / "rejects.csv"
    result = run("events", "import", str(events), "--rejects", str(rejects), creds=hub)
    assert result.code == 1
    assert "2 created, 0 updated, 1 failed" in result.out
    node = hub.workspace().get_node(hub.node_id)
    stored = list(node.export_events())
    assert sorted(e["properties"]["title"] for e in stored) == ["Cart", "Home"]
    home = next(e for e in stored if e["properties"]["title"] == "Home")
    assert home["properties"]["pageTags"] == ["a", "b"]
    assert home["bringBackProperties"]["value"] == "e1"
    assert home["customerId"]  # attached to the customer with that external id
    with open(rejects, newline="", encoding="utf-8") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["_line"] == "4"
    assert row["_status"] == "400"


def test_events_json_lines_import(run: Run, hub: Hub, tmp_path: Path) -> None:
    node = hub.workspace().get_node(hub.node_id)
    (outcome,) = node.bulk_add_customers([{"externalId": "owner"}])
    path = tmp_path / "events.ndjson"
    lines = [
        {
            "customerId": outcome.id,
            "type": "searched",
            "context": "WEB",
            "properties": {"keyword": f"k{i}", "resultCount": i},
        }
        for i in range(25)
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = run("events", "import", str(path), creds=hub)
    assert result.code == 0, result.err
    assert len(list(node.export_events([str(outcome.id)]))) == 25


# ----------------------------------------------------------------------------- exit code 2


def test_a_missing_file_is_exit_2_with_its_name(run: Run, hub: Hub, tmp_path: Path) -> None:
    result = run("customers", "import", str(tmp_path / "nope.csv"), creds=hub)
    assert result.code == 2
    assert f"{tmp_path / 'nope.csv'}: no such file" in result.err


def test_an_unknown_column_is_exit_2_naming_file_line_and_column(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "c.csv", ["externalId", "base.contact.email"], [["1", "x"]])
    result = run("customers", "import", str(path), creds=hub)
    assert result.code == 2
    assert f"{path}, line 1, column 'base.contact.email': unknown field" in result.err
    assert "did you mean base.contacts.email?" in result.err
    assert _customers(hub) == []


def test_missing_credentials_say_where_to_put_them(run: Run, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "c.csv", ["externalId"], [["1"]])
    result = run("customers", "import", str(path))
    assert result.code == 2
    assert "no credentials: pass --workspace-id, --token and --node-id" in result.err
    assert "CONTACTHUB_TOKEN" in result.err
    assert "--config" in result.err


def test_a_wrong_token_is_exit_2_before_any_row_is_sent(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "c.csv", ["externalId"], [["1"]])
    result = run(
        "customers",
        "import",
        str(path),
        "--workspace-id",
        hub.workspace_id,
        "--token",
        "wrong",
        "--base-url",
        hub.base_url,
        "--node-id",
        hub.node_id,
    )
    assert result.code == 2
    assert "401" in result.err
    assert "not authorized" in result.err


def test_an_unknown_node_is_exit_2(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "c.csv", ["externalId"], [["1"]])
    args = ["customers", "import", str(path), "--workspace-id", hub.workspace_id]
    args += ["--token", hub.token, "--base-url", hub.base_url, "--node-id", "no-such-node"]
    result = run(*args)
    assert result.code == 2
    assert "node not found no-such-node" in result.err


def test_rejects_or_journal_never_overwrite_the_input(run: Run, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "c.csv", ["externalId"], [["1"]])
    for option in ("--rejects", "--journal"):
        result = run("customers", "import", str(path), option, str(path))
        assert result.code == 2
        assert "is the input file itself" in result.err
    assert path.read_bytes() == b"externalId\r\n1\r\n"


def test_usage_errors_are_exit_2(run: Run) -> None:
    assert run("customers").code == 2
    result = run("customers", "import")
    assert result.code == 2
    assert "FILE" in result.err
    assert run("customers", "import", "x.csv", "--concurrency", "many").code == 2


# ----------------------------------------------------------------------------- credentials


def test_credentials_from_environment_and_ini_file(
    run: Run, hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_csv(tmp_path / "c.csv", ["externalId"], [["env"]])
    monkeypatch.setenv("CONTACTHUB_WORKSPACE_ID", hub.workspace_id)
    monkeypatch.setenv("CONTACTHUB_TOKEN", hub.token)
    monkeypatch.setenv("CONTACTHUB_BASE_URL", hub.base_url)
    monkeypatch.setenv("CONTACTHUB_NODE_ID", hub.node_id)
    assert run("customers", "import", str(path)).code == 0
    for name in ("WORKSPACE_ID", "TOKEN", "BASE_URL", "NODE_ID"):
        monkeypatch.delenv(f"CONTACTHUB_{name}")

    # The file `contacthub serve` writes: no section header, node_id included.
    ini = tmp_path / "hub.ini"
    ini.write_text(
        f"workspace_id = {hub.workspace_id}\ntoken = {hub.token}\n"
        f"base_url = {hub.base_url}\nnode_id = {hub.node_id}\n"
    )
    second = _write_csv(tmp_path / "d.csv", ["externalId"], [["ini"]])
    assert run("customers", "import", str(second), "--config", str(ini)).code == 0
    # ./contacthub.ini is read when nothing else is given; a flag overrides it.
    ini.rename(tmp_path / "contacthub.ini")
    third = _write_csv(tmp_path / "e.csv", ["externalId"], [["default-ini"]])
    assert run("customers", "import", str(third)).code == 0
    bad = run("customers", "import", str(third), "--token", "wrong")
    assert bad.code == 2
    assert sorted(c["externalId"] for c in _customers(hub)) == ["default-ini", "env", "ini"]
    missing = run("customers", "import", str(third), "--config", str(tmp_path / "none.ini"))
    assert missing.code == 2
    assert "none.ini: no such configuration file" in missing.err


def test_format_flag_and_list_separator(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text('{"externalId": "t1", "tags": {"manual": ["x"]}}\n', encoding="utf-8")
    assert run("customers", "import", str(path), creds=hub).code == 2  # cannot tell the format
    assert run("customers", "import", str(path), "--format", "jsonl", creds=hub).code == 0
    semicolons = _write_csv(tmp_path / "s.csv", ["externalId", "tags.manual"], [["t2", "a;b"]])
    result = run("customers", "import", str(semicolons), "--list-separator", ";", creds=hub)
    assert result.code == 0
    tags = {c["externalId"]: c["tags"]["manual"] for c in _customers(hub)}
    assert tags == {"t1": ["x"], "t2": ["a", "b"]}


def test_check_reports_bad_rows_without_sending_or_credentials(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = _write_csv(
        tmp_path / "c.csv",
        ["externalId", "enabled", "base.address.geo.lat"],
        [["a", "true", "1.5"], ["b", "sure", ""], ["c", "", "north"]],
    )
    result = run("customers", "import", str(path), "--check")
    assert result.code == 1
    assert "3 rows, 1 valid, 2 invalid (nothing was sent)" in result.out
    assert f"{path}, line 3, field enabled: 'sure' is not a boolean" in result.err
    assert f"{path}, line 4, field base.address.geo.lat: 'north' is not a number" in result.err
    assert _customers(hub) == []
    good = _write_csv(tmp_path / "ok.csv", ["externalId"], [["a"]])
    assert run("customers", "import", str(good), "--check").code == 0


def test_a_row_that_is_not_utf8_is_rejected_with_its_bytes_escaped(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"externalId,base.address.city\nr1,Roma\nr2,Citt\xe0\n")
    rejects = tmp_path / "rejects.csv"
    result = run("customers", "import", str(path), "--rejects", str(rejects), creds=hub)
    assert result.code == 1
    assert "1 created, 0 updated, 1 failed" in result.out
    # The rejects file is valid UTF-8 (the byte is written as \xe0), with the input's "\n".
    text = rejects.read_bytes().decode("utf-8")
    assert text.split("\n")[1] == (
        "3,invalid,,not UTF-8 text (byte 0xe0); save the file as UTF-8,r2,Citt\\xe0"
    )
    assert "\r" not in text


def test_resume_finds_rows_dated_in_other_forms_already_there(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    # Dates written with a space, an hour-only offset, a dob as a date-time: the hub stores
    # them in its own form, and the resumed import must still recognise the rows as there.
    path = _write_csv(
        tmp_path / "customers.csv",
        ["externalId", "base.firstName", "base.dob", "consents.disclaimer.date"],
        [
            ["d1", "Ada", "1980-05-10T00:00:00+02:00", "2018-05-25 14:05:00+01"],
            ["d2", "Bob", "1990-01-02", "2018-05-25T14:05:00.5+0100"],
            ["d3", "Cy", "1970-12-31 23:00:00-05", "2018-05-25t13:05:00z"],
        ],
    )
    assert run("customers", "import", str(path), creds=hub).code == 0
    before = {c["externalId"]: c["updatedAt"] for c in _customers(hub)}
    assert len(before) == 3
    # As if the import had been killed after sending the rows, before journaling their outcome.
    journal = tmp_path / "customers.csv.journal"
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    journal.write_text("".join(line for line in lines if not line.startswith("D ")))

    for force in ([], ["--force-update"]):
        result = run("customers", "import", str(path), "--resume", *force, creds=hub)
        assert result.code == 0, result.out + result.err
        assert "0 failed" in result.out
        assert "3 row(s) whose first attempt had an unknown outcome were checked" in result.out
        assert "all 3 rows imported" in result.out
        # Found as they were: neither created again nor patched.
        assert {c["externalId"]: c["updatedAt"] for c in _customers(hub)} == before
        journal.write_text("".join(line for line in lines if not line.startswith("D ")))
