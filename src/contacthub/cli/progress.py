"""Progress reporting for long commands: a rich bar on a terminal, plain lines elsewhere.

The bar shows done/total, the rate and the time left. When rich is not installed, or stderr is
not a terminal (a log file, CI), a plain line is printed every few seconds instead, so logs stay
readable and still show that the work moves.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Progress:
    """Counts work done and shows it; use as a context manager."""

    def __init__(
        self,
        description: str,
        total: int | None,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        interval: float = 2.0,
        unit: str = "rows",
    ) -> None:
        self.description = description
        self.total = total
        self.done = 0
        self.failed = 0
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = enabled
        self._interval = interval
        self._unit = unit
        self._started = time.monotonic()
        self._last_line = self._started
        self._rich: Any = None
        self._task: Any = None
        if enabled and self._stream.isatty():
            self._start_rich()

    def _start_rich(self) -> None:
        try:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress
        except ImportError:
            return  # plain lines instead
        self._rich = RichProgress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"),
            console=Console(file=self._stream),
            transient=False,
        )
        self._rich.start()
        self._task = self._rich.add_task(self.description, total=self.total, rate="", failed="")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def set_total(self, total: int | None) -> None:
        """Set the total once it is known (an export learns it from its first page)."""
        self.total = total
        if self._rich is not None:
            self._rich.update(self._task, total=total)

    @property
    def rate(self) -> float:
        """Units done per second so far."""
        elapsed = time.monotonic() - self._started
        return self.done / elapsed if elapsed > 0 else 0.0

    def advance(self, count: int = 1, *, failed: int = 0) -> None:
        """Count ``count`` more units done, ``failed`` of them failed."""
        self.done += count
        self.failed += failed
        if not self._enabled:
            return
        if self._rich is not None:
            self._rich.update(
                self._task,
                advance=count,
                rate=f"{self.rate:,.0f} {self._unit}/s",
                failed=f"{self.failed} failed" if self.failed else "",
            )
            return
        now = time.monotonic()
        if now - self._last_line >= self._interval:
            self._last_line = now
            self._print_line()

    def _print_line(self) -> None:
        rate = self.rate
        parts = [f"{self.description}: {self.done:,}"]
        if self.total:
            parts[0] += f"/{self.total:,} ({100 * self.done / self.total:.0f}%)"
        parts.append(f"{rate:,.0f} {self._unit}/s")
        if self.total and rate > 0:
            parts.append(f"ETA {_duration(max(self.total - self.done, 0) / rate)}")
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        print(", ".join(parts), file=self._stream, flush=True)

    def close(self) -> None:
        """Stop the bar (rich) or print a last line (plain)."""
        if not self._enabled:
            return
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
        elif self.done and time.monotonic() - self._started >= self._interval:
            self._print_line()
