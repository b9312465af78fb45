"""Workspace configuration: constructor, base URL forms, INI files, environment, closing."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from contacthub import Node, Workspace
from contacthub._http import RetryPolicy, Timeouts

DEFAULT = "https://api.contactlab.it/hub/v1"


@pytest.mark.parametrize(
    "given",
    [
        "https://api.contactlab.it/hub/v1",
        "https://api.contactlab.it/hub/v1/",
        "https://api.contactlab.it/hub/v1/workspaces",
        "https://api.contactlab.it/hub/v1/workspaces/",
        " https://api.contactlab.it/hub/v1 ",
    ],
)
def test_every_documented_base_url_form_gives_the_same_workspace_url(given: str) -> None:
    workspace = Workspace(workspace_id="ws1", token="t", base_url=given)
    assert workspace.base_url == DEFAULT
    assert workspace.url == f"{DEFAULT}/workspaces/ws1"
    assert workspace.transport.base_url == workspace.url


def test_defaults_and_options() -> None:
    workspace = Workspace("ws1", "t")
    assert workspace.base_url == DEFAULT
    assert workspace.transport.timeouts == Timeouts(connect=5.0, read=30.0)
    assert Workspace("w", "t", timeout=3).transport.timeouts == Timeouts(3, 3)
    assert Workspace("w", "t", timeout=(1, 9)).transport.timeouts == Timeouts(1, 9)
    assert Workspace("w", "t", retry=RetryPolicy(attempts=2)).transport.retry.attempts == 2


def test_token_is_not_in_repr() -> None:
    workspace = Workspace("ws1", "very-secret")
    assert "very-secret" not in repr(workspace)
    assert workspace.token == "very-secret"


def test_bad_arguments_get_clear_errors() -> None:
    with pytest.raises(ValueError, match="workspace_id"):
        Workspace("", "t")
    with pytest.raises(ValueError, match="token"):
        Workspace("w", " ")
    with pytest.raises(ValueError, match="base_url"):
        Workspace("w", "t", base_url="api.contactlab.it/hub/v1")
    with pytest.raises(ValueError, match="timeout"):
        Workspace("w", "t", timeout="slow")  # type: ignore[arg-type]


def test_get_node() -> None:
    workspace = Workspace("ws1", "t")
    node = workspace.get_node(node_id="n1")
    assert isinstance(node, Node)
    assert node.node_id == "n1"
    assert node.workspace is workspace
    with pytest.raises(ValueError, match="node_id"):
        workspace.get_node()


@pytest.mark.parametrize("header", ["", "[contacthub]\n", "[anything]\n"])
def test_from_ini_file_with_or_without_a_section(tmp_path: Path, header: str) -> None:
    path = tmp_path / "contacthub.ini"
    path.write_text(
        f"{header}workspace_id = ws1\ntoken = tok\nbase_url = http://127.0.0.1:8080/hub/v1\nnode_id = n1\n"
    )
    workspace = Workspace.from_ini_file(str(path))
    assert workspace.workspace_id == "ws1"
    assert workspace.token == "tok"
    assert workspace.base_url == "http://127.0.0.1:8080/hub/v1"
    assert workspace.get_node().node_id == "n1"


def test_from_INI_file_spelling_and_default_base_url(tmp_path: Path) -> None:
    path = tmp_path / "file.INI"
    path.write_text("workspace_id = 'ws1'\ntoken = \"tok\"\n")
    workspace = Workspace.from_INI_file(path)
    assert (workspace.workspace_id, workspace.token, workspace.base_url) == ("ws1", "tok", DEFAULT)


def test_ini_errors_name_the_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.ini"):
        Workspace.from_ini_file(tmp_path / "nowhere.ini")
    path = tmp_path / "partial.ini"
    path.write_text("workspace_id = ws1\n")
    with pytest.raises(ValueError, match=r"partial.ini: missing 'token'"):
        Workspace.from_ini_file(path)
    garbled = tmp_path / "garbled.ini"
    garbled.write_text("[a]\nworkspace_id = 1\n[a]\n")
    with pytest.raises(ValueError, match="not a valid INI file"):
        Workspace.from_ini_file(garbled)


def test_from_env() -> None:
    env = {
        "CONTACTHUB_WORKSPACE_ID": "ws1",
        "CONTACTHUB_TOKEN": "tok",
        "CONTACTHUB_BASE_URL": "http://h/hub/v1/workspaces",
        "CONTACTHUB_NODE_ID": "n9",
    }
    workspace = Workspace.from_env(env)
    assert workspace.url == "http://h/hub/v1/workspaces/ws1"
    assert workspace.get_node().node_id == "n9"
    assert (
        Workspace.from_env({"CONTACTHUB_WORKSPACE_ID": "w", "CONTACTHUB_TOKEN": "t"}).base_url
        == DEFAULT
    )
    with pytest.raises(ValueError, match="CONTACTHUB_TOKEN"):
        Workspace.from_env({"CONTACTHUB_WORKSPACE_ID": "w"})


def test_from_env_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTHUB_WORKSPACE_ID", "wsE")
    monkeypatch.setenv("CONTACTHUB_TOKEN", "tE")
    monkeypatch.delenv("CONTACTHUB_BASE_URL", raising=False)
    assert Workspace.from_env().workspace_id == "wsE"


def test_context_manager_closes_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[str] = []
    with Workspace("w", "t") as workspace:
        session = workspace.transport.session
        original = session.close
        monkeypatch.setattr(session, "close", lambda: (closed.append("ours"), original()))
    assert closed == ["ours"]
    # a session passed in stays the caller's: closing the workspace leaves it open
    mine = requests.Session()
    monkeypatch.setattr(mine, "close", lambda: closed.append("mine"))
    with Workspace("w", "t", session=mine):
        pass
    assert closed == ["ours"]
