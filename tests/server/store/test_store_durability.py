"""What a write transaction acknowledged survives the process being killed (SQLite WAL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from contacthub_server.schemas.instants import to_millis
from contacthub_server.store import Store


def test_committed_writes_survive_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    script = textwrap.dedent(
        f"""
        import os
        from contacthub_server.store import Store
        store = Store.connect({str(path)!r})
        with store.write() as tx:
            tx.add_token("tok", "ws")
        os._exit(9)  # no close, no checkpoint: as if killed
        """
    )
    subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    store = Store.connect(str(path))
    try:
        with store.read() as tx:
            assert tx.workspace_of_token("tok") == "ws"
    finally:
        store.close()


def test_every_accepted_date_form_is_the_same_instant() -> None:
    forms = [
        "2017-03-08T10:18:17.000+0000",
        "2017-03-08T10:18:17Z",
        "2017-03-08T10:18:17.000Z",
        "2017-03-08T10:18:17+00:00",
        "2017-03-08T11:18:17+01:00",
        "2017-03-08T10:18:17",
    ]
    assert {to_millis(form) for form in forms} == {1488968297000}
    assert to_millis("1970-01-02") == 86_400_000
