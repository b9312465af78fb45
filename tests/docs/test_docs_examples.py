"""Every fenced ``python`` block of the user guide in ``docs/`` runs against a live hub.

The blocks of one page run in order in one namespace, as a reader would type them into one
session, against a fresh hub workspace. The page's readers are told to start from the
``contacthub.ini`` file that ``contacthub serve`` writes; the test writes that file (the same
keys) for the test's workspace in the working directory, and sets the ``CONTACTHUB_*`` variables.

Markers, an HTML comment on the line just above a block:

- ``<!-- no-run -->``: the block is not run (used sparingly: e.g. code that needs a real
  ContactHub account).
- ``<!-- pytest -->``: the block is a test module for the reader's own suite; it is written to a
  file and run by pytest in a subprocess, where the ``contacthub`` plugin gives it its fixtures,
  and it must pass.
- ``<!-- file: NAME -->`` above a block of any language: its text is written to the file NAME in
  the working directory when the page's run reaches it (a CSV file the next command imports).
- ``<!-- run -->`` above a ``console`` block: each ``$ command`` line runs in a shell, in order
  with the python blocks, with the ``contacthub`` command on the ``PATH``; it must exit with
  status 0, or with the status a trailing ``# exit status N`` comment announces. Console blocks
  without the marker (``contacthub serve``, which runs until stopped) are not run.

Tracebacks point at the block's lines in the Markdown file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from guide_harness import HubAPI, Run, production_redirect

DOCS = Path(__file__).parents[2] / "docs"
# internals.md is for contributors; guide-corrections.md explains the guide's tests (no examples).
PAGES = sorted(
    p.name for p in DOCS.glob("*.md") if p.name not in ("internals.md", "guide-corrections.md")
)


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page."""

    page: str
    line: int  # line of the first code line, 1-based
    language: str
    code: str
    marker: str | None  # "no-run", "pytest", "run", "file: NAME" or None


MARKERS = re.compile(r"no-run|pytest|run|file: [\w.-]+")


def fenced_blocks(page: str) -> list[Block]:
    """Every fenced block of a page, with its language and the marker above it."""
    lines = (DOCS / page).read_text().splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if fence.startswith("```") and len(fence) > 3:
            start = i + 1
            end = start
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            assert end < len(lines), f"{page}:{i + 1}: unclosed code block"
            previous = next(
                (lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), ""
            )
            marker = None
            if previous.startswith("<!--") and previous.endswith("-->"):
                marker = previous[4:-3].strip()
                assert MARKERS.fullmatch(marker), f"{page}:{i}: unknown marker {marker!r}"
            code = "\n".join(lines[start:end]) + "\n"
            found.append(Block(page, start + 1, fence[3:].strip(), code, marker))
            i = end
        i += 1
    return found


def blocks_of(page: str) -> list[Block]:
    """The fenced ``python`` blocks of a page."""
    return [b for b in fenced_blocks(page) if b.language == "python"]


def run_console(block: Block, cwd: Path, env: dict[str, str]) -> None:
    """Run the ``$ command`` lines of a console block; each must exit as announced."""
    for offset, line in enumerate(block.code.splitlines()):
        if not line.startswith("$ "):
            continue  # output shown to the reader
        command = line[2:]
        announced = re.search(r"#\s*exit status (\d+)", command)
        expected = int(announced.group(1)) if announced else 0
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == expected, (
            f"docs/{block.page}:{block.line + offset}: `{command}` exited with "
            f"{result.returncode}, not {expected}\n{result.stdout}\n{result.stderr}"
        )


def write_ini(hub: Any, path: Path) -> None:
    """The file ``contacthub serve`` writes, for this test's workspace."""
    path.write_text(
        f"workspace_id = {hub.workspace_id}\n"
        f"token = {hub.token}\n"
        f"base_url = {hub.base_url}\n"
        f"node_id = {hub.node_id}\n"
    )


def test_pages_exist() -> None:
    """The guide has the pages the index links to, each with examples."""
    for page in (
        "index.md",
        "customers.md",
        "queries.md",
        "items.md",
        "events.md",
        "errors-and-retries.md",
        "hub.md",
        "testing.md",
        "bulk.md",
    ):
        assert page in PAGES, f"docs/{page} is missing"
        assert blocks_of(page), f"docs/{page} has no python example"


def run_pytest_blocks(blocks: list[Block], tmp_path: Path) -> None:
    """Run test-module blocks with pytest, in one subprocess; every test must pass."""
    directory = tmp_path / "reader_tests"
    directory.mkdir()
    for block in blocks:
        name = f"test_{Path(block.page).stem.replace('-', '_')}_line_{block.line}.py"
        (directory / name).write_text(block.code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTACTHUB_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(directory)],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = ", ".join(f"docs/{b.page}:{b.line}" for b in blocks)
    assert result.returncode == 0, (
        f"the test modules at {lines} failed\n{result.stdout}\n{result.stderr}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(
    page: str, hub: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The page's python blocks run in order against the hub without an error."""
    blocks = blocks_of(page)
    if not any(b.marker != "no-run" for b in fenced_blocks(page)):
        pytest.skip(f"docs/{page} has no runnable python block")
    monkeypatch.chdir(tmp_path)
    write_ini(hub, tmp_path / "contacthub.ini")
    monkeypatch.setenv("CONTACTHUB_WORKSPACE_ID", hub.workspace_id)
    monkeypatch.setenv("CONTACTHUB_TOKEN", hub.token)
    monkeypatch.setenv("CONTACTHUB_BASE_URL", hub.base_url)
    monkeypatch.setenv("CONTACTHUB_NODE_ID", hub.node_id)
    api = HubAPI(hub)
    with production_redirect(monkeypatch, hub.base_url):
        run = Run(hub=hub, api=api, ns={"__name__": "docs_example"}, values={})
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        for block in fenced_blocks(page):
            if block.marker is not None and block.marker.startswith("file: "):
                (tmp_path / block.marker[len("file: ") :]).write_text(block.code)
            elif block.language == "python" and block.marker is None:
                run.execute(block.code, str(DOCS / page), first_line=block.line)
            elif block.language == "console" and block.marker == "run":
                run_console(block, tmp_path, env)
        close = getattr(run.ns.get("workspace"), "close", None)
        if close is not None:
            close()
    api.close()
    test_modules = [b for b in blocks if b.marker == "pytest"]
    if test_modules:
        run_pytest_blocks(test_modules, tmp_path)


def heading_anchors(page: str) -> set[str]:
    """The anchors of a page's headings, as GitHub makes them."""
    anchors = set()
    for line in (DOCS / page).read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            title = re.sub(r"[^\w\- ]", "", title)
            anchors.add(title.replace(" ", "-"))
    return anchors


def test_links_between_pages_resolve() -> None:
    """Every relative link of the guide names an existing page and, if any, heading."""
    broken = []
    for page in [*PAGES, "guide-corrections.md"]:
        text = (DOCS / page).read_text()
        for target in re.findall(r"\]\(([^)#\s]*)(#[^)\s]*)?\)", text):
            path, anchor = target
            if path.startswith(("http://", "https://")):
                continue
            linked = path or page
            if not (DOCS / linked).exists():
                broken.append(f"{page}: {path}")
            elif anchor and anchor[1:] not in heading_anchors(linked):
                broken.append(f"{page}: {linked}{anchor}")
    assert not broken, broken


def test_index_links_every_page() -> None:
    """The index's table of pages lists every page of the guide."""
    index = (DOCS / "index.md").read_text()
    missing = [p for p in PAGES if p != "index.md" and f"]({p})" not in index]
    assert not missing, f"index.md does not link {missing}"


def test_every_public_operation_is_documented() -> None:
    """Each public method and attribute of the SDK's main classes is named somewhere in the guide."""
    import contacthub
    from contacthub.models import Customer, Education, Event, Job, Like, Subscription
    from contacthub.models.query.query import Query

    text = "\n".join((DOCS / page).read_text() for page in PAGES)
    not_for_users = {"transport"}  # Node.transport: the workspace's HTTP layer, for bulk/internals
    inherited = set(dir(list)) | set(dir(OSError)) | {"not_implemented"}
    missing = []
    for cls in (
        contacthub.Workspace,
        contacthub.Node,
        contacthub.PaginatedList,
        contacthub.APIError,
        Customer,
        Event,
        Education,
        Job,
        Like,
        Subscription,
        Query,
    ):
        for name in dir(cls):
            if name.startswith("_") or name in not_for_users or name in inherited:
                continue
            if not re.search(rf"\b{re.escape(name)}\b", text):
                missing.append(f"{cls.__name__}.{name}")
    assert not missing, f"not in the user guide: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_are_clean(page: str) -> None:
    """A page's Python, read as one program, has no unused import or undefined name, and each
    block is formatted as the project's code is (ruff)."""
    pytest.importorskip("ruff")
    python = [b for b in fenced_blocks(page) if b.language == "python"]
    session = "\n".join(b.code for b in python if b.marker is None)
    command = [sys.executable, "-m", "ruff", "check", "--select", "F", "--output-format"]
    command += ["concise", "--stdin-filename", f"{page}.py", "-"]
    lint = subprocess.run(
        command,
        input=session,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, f"docs/{page}:\n{lint.stdout}"
    for block in python:
        formatted = subprocess.run(
            [sys.executable, "-m", "ruff", "format", "--line-length", "100", "-"],
            input=block.code,
            capture_output=True,
            text=True,
        )
        assert formatted.stdout == block.code, f"docs/{page}:{block.line}: run ruff format on it"
