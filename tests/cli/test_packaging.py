"""What a user installing the package meets: the README's example, the licence, the extras."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tomllib
from pathlib import Path

import pytest

from contacthub.testing import Hub

ROOT = Path(__file__).resolve().parents[2]


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_starts_with_the_two_commands_then_speaks_to_users() -> None:
    text = _readme()
    first_block = text.split("```")[1]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [
        ["./dev", "demo"],
        ["./dev", "test"],
    ]
    assert 'pip install ".[server]"' in text


def test_the_readme_example_runs_against_the_hub(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    match = re.search(r"<!-- readme-example -->\n```python\n(.*?)```", _readme(), re.S)
    assert match is not None
    code = match.group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 5
    (tmp_path / "contacthub.ini").write_text(
        f"[contacthub]\nworkspace_id = {hub.workspace_id}\nnode_id = {hub.node_id}\n"
        f"token = {hub.token}\nbase_url = {hub.base_url}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == "Ada\n"
    found = hub.workspace().get_node(hub.node_id).get_customer_by_email("ada@example.com")
    assert found is not None


def test_the_licence_file_is_the_declared_one() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "Apache-2.0"}
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Version 2.0" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "License :: OSI Approved :: Apache Software License" in project["classifiers"]
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])


def test_the_postgresql_driver_is_its_own_extra_and_the_sdist_leaves_out_ci() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = pyproject["project"]["optional-dependencies"]
    assert not any(dep.startswith("psycopg") for dep in extras["server"])
    assert any(dep.startswith("psycopg") for dep in extras["postgres"])
    assert any(dep.startswith("psycopg") for dep in extras["dev"])
    excluded = pyproject["tool"]["hatch"]["build"]["targets"]["sdist"]["exclude"]
    assert ".ci" in excluded
    assert "dev" in excluded


def test_a_postgresql_url_without_the_driver_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from contacthub_server.store import Store

    # None in sys.modules makes `import psycopg` (and find_spec) fail: the driver is missing.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ValueError, match=r"contacthub\[server,postgres\]"):
        Store.connect("postgresql://127.0.0.1:5432/nothing")


def test_sqlite_needs_no_postgresql_driver(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from contacthub_server.store import Store

    monkeypatch.setitem(sys.modules, "psycopg", None)
    store = Store.connect(str(tmp_path / "hub.db"))
    store.close()
