"""Running the ``contacthub`` command in tests: in-process, against the hub fixture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cliharness import Other, Result, Run, credentials_of

from contacthub.cli import main
from contacthub.testing import Hub


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials leak in from the developer's shell or a contacthub.ini in the cwd."""
    for name in ("WORKSPACE_ID", "TOKEN", "BASE_URL", "NODE_ID"):
        monkeypatch.delenv(f"CONTACTHUB_{name}", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(*args, creds=hub)`` runs the command in-process and returns code, stdout, stderr."""

    def run_command(*args: str, creds: Any = None) -> Result:
        argv = list(args) + (credentials_of(creds) if creds is not None else [])
        code = main([*argv, "--quiet"] if _takes_quiet(argv) else argv)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return Result(code, captured.out, captured.err)

    return run_command


def _takes_quiet(argv: list[str]) -> bool:
    return len(argv) >= 2 and argv[1] in ("import", "export")


@pytest.fixture
def other_node(hub: Hub) -> Other:
    """A fresh second workspace and node on the hub of the ``hub`` fixture."""
    credentials = hub.server.provision()
    return Other(credentials.workspace_id, credentials.node_id, credentials.token, hub.base_url)
