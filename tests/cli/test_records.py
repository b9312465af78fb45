"""Reading import files: CSV and JSON Lines records, their line numbers and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from contacthub.cli.records import (
    InputError,
    count_records,
    detect_format,
    open_input,
    reader_for,
)


def _records(path: Path, entity: str = "customers") -> list[tuple[int, object, str | None]]:
    fmt = detect_format(path, None)
    with open_input(path) as stream:
        reader = reader_for(stream, str(path), fmt, entity, "|")  # type: ignore[arg-type]
        return [(r.line, r.document, r.error) for r in reader]


def test_csv_records_carry_the_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        'externalId,base.firstName,extra\n1,Ada,"two\nlines"\n\n2,Bob,\n', encoding="utf-8"
    )
    assert _records(path) == [
        (2, {"externalId": "1", "base": {"firstName": "Ada"}, "extra": "two\nlines"}, None),
        (5, {"externalId": "2", "base": {"firstName": "Bob"}}, None),
    ]
    assert count_records(path, "csv") == 2


def test_a_byte_order_mark_does_not_spoil_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("\ufeffexternalId\nx\n".encode())
    assert _records(path) == [(2, {"externalId": "x"}, None)]


def test_bad_csv_rows_are_errors_of_that_row_only(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("externalId,enabled\n1,true\n2,true,extra\n3,perhaps\n4,false\n")
    records = _records(path)
    assert [line for line, _, _ in records] == [2, 3, 4, 5]
    assert records[1][2] == "the row has 3 fields but the header has 2"
    assert records[2][2] is not None
    assert "'perhaps' is not a boolean" in records[2][2]
    assert records[3][1] == {"externalId": "4", "enabled": False}


def test_an_unknown_column_makes_the_file_unusable(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("externalId,base.nickname\n1,x\n")
    with pytest.raises(InputError) as caught:
        _records(path)
    assert str(caught.value).startswith(f"{path}, line 1, column 'base.nickname': unknown field")


def test_json_lines_records_and_their_errors(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"externalId": "1"}\n\n{"externalId": \n[1, 2]\n{"id": "c", "extra": "x"}\n')
    records = _records(path)
    assert records[0] == (1, {"externalId": "1"}, None)
    assert records[1][0] == 3
    assert "invalid JSON" in str(records[1][2])
    assert records[2] == (4, None, "expected a JSON object, got list")
    # Read-only fields of an export are dropped, so exports import as they are.
    assert records[3] == (5, {"extra": "x"}, None)
    assert count_records(path, "jsonl") == 4


def test_the_format_comes_from_the_extension_or_the_flag(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "a.CSV", None) == "csv"
    assert detect_format(tmp_path / "a.ndjson", None) == "jsonl"
    assert detect_format(tmp_path / "a.txt", "csv") == "csv"
    with pytest.raises(InputError, match="cannot tell the format"):
        detect_format(tmp_path / "a.txt", None)


def test_missing_and_empty_files_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_input(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="the file is empty"):
        _records(empty)


@pytest.mark.parametrize("name", ["in.csv", "in.jsonl"])
def test_a_row_that_is_not_utf8_is_an_error_of_that_row(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_bytes(b"externalId\n1\nCitt\xe0\n3\n")
    else:
        path.write_bytes(b'{"externalId": "1"}\n{"externalId": "Citt\xe0"}\n{"externalId": "3"}\n')
    records = _records(path)
    lines = [line for line, _, _ in records]
    assert lines == ([2, 3, 4] if name.endswith(".csv") else [1, 2, 3])
    assert records[1][1] is None
    assert records[1][2] == "not UTF-8 text (byte 0xe0); save the file as UTF-8"
    assert records[2][1] == {"externalId": "3"}
