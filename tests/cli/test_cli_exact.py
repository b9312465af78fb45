"""The bulk command line, exact (issue 11): resume counts, second runs, rejects files, --map,
--check, export formats and layout, exit codes, credentials from one source."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cliharness import Other, Run, credentials_of

from contacthub.cli.journal import default_journal_path
from contacthub.testing import Hub


def _write(path: Path, text: str, newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def _customers(hub: Hub) -> list[dict[str, Any]]:
    return list(hub.workspace().get_node(hub.node_id).export_customers())


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


# ----------------------------------------------------------------------------- resume counts


def test_resume_counts_rows_an_earlier_run_stored_as_already_present(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "people.csv",
        "externalId,base.contacts.email,base.dob\n"
        "p1,p1@example.com,1990-01-02\np2,p2@example.com,1991-02-03\np3,p3@example.com,\n",
    )
    assert run("customers", "import", str(path), creds=hub).code == 0
    # A run killed after sending every row and before recording any outcome: the journal holds
    # the rows as sent ("S") and none as done ("D").
    journal = default_journal_path(path)
    header = journal.read_text(encoding="utf-8").splitlines()[0]
    journal.write_text(f"{header}\nS 2 3 4\n", encoding="utf-8")
    result = run("customers", "import", str(path), "--resume", creds=hub)
    assert result.code == 0, result.err
    assert "0 created, 0 updated, 0 failed, 3 already present" in result.out
    assert "all 3 rows imported" in result.out
    assert len(_customers(hub)) == 3


def test_a_second_run_without_resume_names_resume_and_restart(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = _write(tmp_path / "a.csv", "externalId\nx1\nx2\n")
    assert run("customers", "import", str(path), creds=hub).code == 0
    journal = default_journal_path(path)
    before = journal.read_bytes()
    again = run("customers", "import", str(path), creds=hub)
    assert again.code == 2
    assert "was imported before (2 rows done" in again.err
    assert "--resume" in again.err
    assert "--restart" in again.err
    assert journal.read_bytes() == before  # the journal was not overwritten
    resumed = run("customers", "import", str(path), "--resume", creds=hub)
    assert "2 already imported (skipped)" in resumed.out
    restarted = run("customers", "import", str(path), "--restart", creds=hub)
    assert restarted.code == 0  # no matching policy conflict: externalId is not matched
    assert len(_customers(hub)) == 4
    assert run("customers", "import", str(path), "--resume", "--restart").code == 2


# ----------------------------------------------------------------------------- rejects


def test_rejects_keep_crlf_come_in_line_order_and_name_the_409_field(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    node = hub.workspace().get_node(hub.node_id)
    node.add_customer(base={"contacts": {"email": "taken@example.com"}})
    lines = ["externalId,base.contacts.email,extended.n:int"]
    for n in range(120):
        if n % 3 == 0:
            lines.append(f"r{n},not-an-email-{n},{n}")  # refused by the hub: 400
        elif n % 3 == 1:
            lines.append(f"r{n},r{n}@example.com,{n}")  # stored
        else:
            lines.append(f"r{n},TAKEN@example.com,{n}")  # the same email: 409
    lines.append("r999,x@example.com,not-a-number")  # invalid locally
    path = _write(tmp_path / "crlf.csv", "\n".join(lines) + "\n", newline="\r\n")
    rejects = tmp_path / "rejects.csv"
    result = run(
        "customers", "import", str(path), "--rejects", str(rejects), "--concurrency", "16",
        creds=hub,
    )  # fmt: skip
    assert result.code == 1
    data = rejects.read_bytes()
    data.decode("utf-8")
    assert data.count(b"\r\n") == data.count(b"\n")  # every line ends as the input's do
    rows = _rows(rejects)
    numbers = [int(row["_line"]) for row in rows]
    assert numbers == sorted(numbers)
    assert len(rows) == 40 + 40 + 1
    conflicts = [row for row in rows if row["_status"] == "409"]
    assert len(conflicts) == 40
    assert {row["_field"] for row in conflicts} == {"base.contacts.email"}
    assert rows[-1]["_status"] == "invalid"
    assert rows[-1]["_field"] == "extended.n"


def test_json_lines_rejects_escape_bytes_that_are_not_utf8(
    run: Run, hub: Hub, tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"externalId": "ok"}\n{"externalId": "caf\xe9"}\n')
    rejects = tmp_path / "rejects.jsonl"
    result = run("customers", "import", str(path), "--rejects", str(rejects), creds=hub)
    assert result.code == 1
    entry = json.loads(rejects.read_bytes().decode("utf-8"))
    assert entry["_line"] == 2
    assert entry["_status"] == "invalid"
    assert "\\xe9" in entry["_raw"]


# ----------------------------------------------------------------------------- --map, --check


def test_map_reads_a_column_as_a_field(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = _write(tmp_path / "crm.csv", "Email,Name,Points\nm@example.com,Mara,7\n")
    mapping = ["--map", "Email=base.contacts.email", "--map", "Name=base.firstName"]
    mapping += ["--map", "Points=extended.points:int"]
    assert run("customers", "import", str(path), *mapping, creds=hub).code == 0
    (customer,) = _customers(hub)
    assert customer["base"]["contacts"]["email"] == "m@example.com"
    assert customer["base"]["firstName"] == "Mara"
    assert customer["extended"] == {"points": 7}
    jsonl = _write(tmp_path / "crm.jsonl", '{"mail": "j@example.com", "externalId": "j"}\n')
    assert run("customers", "import", str(jsonl), "--map", "mail=base.contacts.email",
               creds=hub).code == 0  # fmt: skip
    assert sorted(c["base"]["contacts"]["email"] for c in _customers(hub)) == [
        "j@example.com",
        "m@example.com",
    ]


def test_map_of_a_column_the_header_lacks_is_exit_2(run: Run, hub: Hub, tmp_path: Path) -> None:
    path = _write(tmp_path / "crm.csv", "Email\nm@example.com\n")
    result = run("customers", "import", str(path), "--map", "Emial=base.contacts.email", creds=hub)
    assert result.code == 2
    assert "Emial" in result.err
    assert "did you mean Email?" in result.err
    bad = run("customers", "import", str(path), "--map", "Email", creds=hub)
    assert bad.code == 2
    assert "COLUMN=PATH" in bad.err
    assert _customers(hub) == []


def test_check_applies_the_hubs_email_and_date_rules(run: Run, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "check.csv",
        "externalId,base.contacts.email,base.dob,consents.disclaimer.date\n"
        "ok,a@example.com,1990-01-02,2020-01-01T10:00:00+01\n"
        "email,no-at-sign,,\n"
        "dob,b@example.com,1990-02-30,\n"
        "space,c@example.com,1990-01-02 00:00:00,2020-01-01 10:00:00.123Z\n"
        "when,d@example.com,,yesterday\n",
    )
    result = run("customers", "import", str(path), "--check")
    assert result.code == 1
    assert "5 rows, 2 valid, 3 invalid" in result.out
    assert "line 3, field base.contacts.email: 'no-at-sign' is not a valid email" in result.err
    assert "line 4, field base.dob: '1990-02-30' is not a date" in result.err
    assert "line 6, field consents.disclaimer.date: 'yesterday' is not a date-time" in result.err
    events = _write(
        tmp_path / "events.jsonl",
        '{"customerId": "c", "type": "viewedPage", "context": "WEB", "date": "2020-13-01"}\n',
    )
    assert "field date" in run("events", "import", str(events), "--check").err


# ----------------------------------------------------------------------------- export


def test_export_to_an_unknown_extension_is_refused(run: Run, hub: Hub, tmp_path: Path) -> None:
    result = run("customers", "export", "--output", str(tmp_path / "out.xlsx"), creds=hub)
    assert result.code == 2
    assert "cannot tell the format from the extension '.xlsx'" in result.err
    assert not (tmp_path / "out.xlsx").exists()
    forced = run("customers", "export", "--output", str(tmp_path / "out.txt"), "--format", "csv",
                 creds=hub)  # fmt: skip
    assert forced.code == 0


def test_csv_export_has_the_same_layout_whatever_the_data(
    run: Run, hub: Hub, other_node: Other, tmp_path: Path
) -> None:
    node = hub.workspace().get_node(hub.node_id)
    node.add_customer(externalId="bare")
    first = tmp_path / "first.csv"
    assert run("customers", "export", "--output", str(first), creds=hub).code == 0
    node.add_customer(
        base={"firstName": "Full", "address": {"city": "Roma"}},
        extended={"zeta": 1, "alpha": {"inner": "x"}},
        tags={"manual": ["a"]},
    )
    second = tmp_path / "second.csv"
    assert run("customers", "export", "--output", str(second), creds=hub).code == 0
    header_one = next(csv.reader(io.StringIO(first.read_text(encoding="utf-8"))))
    header_two = next(csv.reader(io.StringIO(second.read_text(encoding="utf-8"))))
    fixed = [name for name in header_two if not name.startswith("extended.")]
    assert fixed == header_one  # the schema's columns do not depend on the data
    assert header_one[:3] == ["id", "nodeId", "externalId"]
    assert header_one[-4:] == [
        "sourceInfo.registeredBy",
        "sourceInfo.updatedBy",
        "registeredAt",
        "updatedAt",
    ]
    assert "base.address" not in header_two  # no parent column beside its children
    assert "base.address.city" in header_one
    extended = [name for name in header_two if name.startswith("extended.")]
    assert extended == ["extended.alpha.inner", "extended.zeta:int"]
    assert header_two.index("extended.zeta:int") < header_two.index("consents.disclaimer.date")
    # And it imports back into another node.
    back = run("customers", "import", str(second), creds=other_node)
    assert back.code == 0, back.err


def test_an_export_the_api_refuses_is_exit_1(run: Run, hub: Hub) -> None:
    query = '{"name": "q", "query": {"type": "simple", "name": "q", "are": {}}}'
    result = run("customers", "export", "--query", query, creds=hub)
    assert result.code == 1
    assert "export failed: 400" in result.err


# ----------------------------------------------------------------------------- credentials


def test_credentials_come_whole_from_one_source(
    run: Run, hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "c.csv", "externalId\none\n")
    ini = _write(
        tmp_path / "contacthub.ini",
        f"workspace_id = {hub.workspace_id}\ntoken = {hub.token}\n"
        f"base_url = {hub.base_url}\nnode_id = {hub.node_id}\n",
    )
    # A flag beside the INI file does not borrow the rest from it.
    partial = run("customers", "import", str(path), f"--node-id={hub.node_id}")
    assert partial.code == 2
    assert "missing in the command's flags: workspace_id" in partial.err
    both = run("customers", "import", str(path), "--config", str(ini), f"--token={hub.token}")
    assert both.code == 2
    assert "either as flags or with --config" in both.err
    # Variables beside the INI file: the variables are the source, and must be complete.
    monkeypatch.setenv("CONTACTHUB_TOKEN", hub.token)
    variables = run("customers", "import", str(path))
    assert variables.code == 2
    assert "missing in the CONTACTHUB_* environment variables: workspace_id" in variables.err
    monkeypatch.delenv("CONTACTHUB_TOKEN")
    assert run("customers", "import", str(path)).code == 0  # ./contacthub.ini, whole


def test_a_refused_token_says_where_it_came_from(
    run: Run, hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "c.csv", "externalId\none\n")
    for name, value in (
        ("WORKSPACE_ID", hub.workspace_id),
        ("TOKEN", "wrong-token"),
        ("BASE_URL", hub.base_url),
        ("NODE_ID", hub.node_id),
    ):
        monkeypatch.setenv(f"CONTACTHUB_{name}", value)
    result = run("customers", "import", str(path))
    assert result.code == 2
    assert "401" in result.err
    assert "came from the CONTACTHUB_* environment variables" in result.err
    flags = [
        arg if not arg.startswith("--token=") else "--token=bad" for arg in credentials_of(hub)
    ]
    result = run("customers", "import", str(path), *flags)
    assert "came from the command's flags" in result.err
