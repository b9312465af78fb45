"""Progress display: a rich bar on a terminal, periodic plain lines elsewhere."""

from __future__ import annotations

import io
import sys

import pytest

from contacthub.cli.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_show_count_rate_eta_and_failures() -> None:
    stream = io.StringIO()
    with Progress("customers import", 10, stream=stream, interval=0) as progress:
        progress.advance(4)
        progress.advance(1, failed=1)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("customers import: 4/10 (40%), ")
    assert "rows/s" in lines[0]
    assert "ETA " in lines[0]
    assert lines[1].startswith("customers import: 5/10 (50%)")
    assert lines[1].endswith("1 failed")


def test_plain_lines_are_rate_limited() -> None:
    stream = io.StringIO()
    with Progress("export", None, stream=stream, interval=3600) as progress:
        for _ in range(1000):
            progress.advance()
    assert stream.getvalue() == ""  # a short run prints nothing, a long one a line per interval


def test_a_terminal_gets_a_bar_with_rate_and_time_left() -> None:
    stream = _Terminal()
    with Progress("events import", 8, stream=stream) as progress:
        progress.advance(8, failed=2)
    text = stream.getvalue()
    assert "events import" in text
    assert "8/8" in text
    assert "rows/s" in text
    assert "2 failed" in text


def test_disabled_progress_prints_nothing() -> None:
    stream = _Terminal()
    with Progress("import", 5, stream=stream, enabled=False) as progress:
        progress.advance(5)
    assert stream.getvalue() == ""
    assert progress.done == 5


def test_without_rich_a_terminal_gets_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rich.progress", None)  # as if rich were not installed
    stream = _Terminal()
    with Progress("customers import", 4, stream=stream, interval=0) as progress:
        progress.advance(4)
    assert stream.getvalue().startswith("customers import: 4/4 (100%), ")
