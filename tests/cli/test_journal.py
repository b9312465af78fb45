"""The resume journal: what a later --resume skips, rechecks and sends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contacthub.cli.journal import Journal, JournalError, LineSet, default_journal_path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("externalId\n1\n2\n3\n4\n")
    return path


def test_a_resumed_journal_knows_done_and_sent_records(data: Path) -> None:
    path = default_journal_path(data)
    assert path.name == "customers.csv.journal"
    journal = Journal.open(path, "customers", data, resume=False)
    journal.record_sending([2, 3, 4])
    journal.record_done(2, "created")
    journal.record_done(4, "updated")
    journal.close()

    resumed = Journal.open(path, "customers", data, resume=True)
    assert [line in resumed.done for line in (2, 3, 4, 5)] == [True, False, True, False]
    assert [line in resumed.sent for line in (2, 3, 4, 5)] == [True, True, True, False]
    resumed.close()


def test_a_torn_last_line_is_ignored(data: Path) -> None:
    path = default_journal_path(data)
    journal = Journal.open(path, "customers", data, resume=False)
    journal.record_sending([2])
    journal.close()
    with open(path, "a") as stream:
        stream.write("D 2 crea")  # the crash cut the line short
    resumed = Journal.open(path, "customers", data, resume=True)
    assert 2 not in resumed.done
    assert 2 in resumed.sent
    resumed.close()


def test_a_second_import_needs_resume_or_restart(data: Path) -> None:
    path = default_journal_path(data)
    journal = Journal.open(path, "customers", data, resume=False)
    journal.record_sending([2])
    journal.record_done(2, "created")
    journal.close()
    with pytest.raises(JournalError, match=r"imported before \(1 rows done.*--resume.*--restart"):
        Journal.open(path, "customers", data, resume=False)
    Journal.open(path, "customers", data, resume=False, restart=True).close()
    resumed = Journal.open(path, "customers", data, resume=True)
    assert 2 not in resumed.done
    resumed.close()


def test_a_journal_of_another_input_or_kind_is_refused(data: Path, tmp_path: Path) -> None:
    path = default_journal_path(data)
    Journal.open(path, "customers", data, resume=False).close()
    with pytest.raises(JournalError, match="of a customers import, not events"):
        Journal.open(path, "events", data, resume=True)
    other = tmp_path / "other.csv"
    other.write_text("externalId\n")
    with pytest.raises(JournalError, match="not of"):
        Journal.open(path, "customers", other, resume=True)
    data.write_text("externalId\n9\n")
    os.utime(data, ns=(1, 1))
    with pytest.raises(JournalError, match="changed since the interrupted import"):
        Journal.open(path, "customers", data, resume=True)
    path.write_text("hello\n")
    with pytest.raises(JournalError, match="not a contacthub import journal"):
        Journal.open(path, "customers", data, resume=True)


def test_line_sets_hold_large_line_numbers_compactly() -> None:
    lines = LineSet()
    for line in (1, 8, 9, 1_000_003):
        lines.add(line)
    assert all(line in lines for line in (1, 8, 9, 1_000_003))
    assert not any(line in lines for line in (0, 2, 7, 10, 1_000_002, 5_000_000))


def test_dates_given_to_events_are_kept_for_the_rows_in_doubt(data: Path) -> None:
    path = default_journal_path(data)
    journal = Journal.open(path, "events", data, resume=False)
    journal.record_sending(
        [2, 3, 4], {2: "2024-05-01T10:00:00.001Z", 3: "2024-05-01T10:00:00.002Z"}
    )
    journal.record_done(2, "created")
    journal.close()
    resumed = Journal.open(path, "events", data, resume=True)
    assert resumed.stamps == {3: "2024-05-01T10:00:00.002Z"}
    assert 3 in resumed.sent
    assert 4 in resumed.sent
    resumed.close()
