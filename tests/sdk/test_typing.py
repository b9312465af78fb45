"""The typed documents work for users: mypy --strict accepts correct calls and catches mistakes.

``typing_samples/correct_calls.py`` is user code written with :mod:`contacthub.types`; it must
type-check cleanly, and it also runs against the hub (so the types do not demand anything the API
refuses). ``typing_samples/wrong_calls.py`` holds deliberate mistakes (misspelt keys, wrong value
types, a missing required key, an unknown event type), each marked with the error mypy must report
on that line.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from contacthub import Event, Node

mypy_api = pytest.importorskip("mypy.api")

SAMPLES = Path(__file__).parent / "typing_samples"
CORRECT = SAMPLES / "correct_calls.py"
WRONG = SAMPLES / "wrong_calls.py"
DOCS_PAGE = Path(__file__).parents[2] / "docs" / "typing.md"
DOCS_EXAMPLE = "docs_typing_example.py"
BLOCK = re.compile(r"(<!-- no-run -->\n)?```python\n(.*?)```", re.S)
# "path:line: error: message  [code]"
ERROR_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)  \[(?P<code>[a-z-]+)\]$"
)
MARKER = re.compile(r"# E: (?P<code>[a-z-]+)(?: (?P<text>.+))?$")


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str, str]]]:
    """mypy --strict over the samples and the docs example (one run): each file's errors."""
    work = tmp_path_factory.mktemp("mypy")
    # The examples of docs/typing.md that run, as one module: they must type-check too.
    blocks = [m[2] for m in BLOCK.finditer(DOCS_PAGE.read_text()) if not m[1]]
    docs_example = work / DOCS_EXAMPLE
    docs_example.write_text("\n".join(blocks))
    config = work / "mypy.ini"
    config.write_text("[mypy]\n")  # not the project's settings: a user's plain --strict
    stdout, stderr, _status = mypy_api.run(
        [
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(work / "cache"),
            "--show-error-codes",
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
            str(CORRECT),
            str(WRONG),
            str(docs_example),
        ]
    )
    assert not stderr, stderr
    errors: dict[str, list[tuple[int, str, str]]] = {
        CORRECT.name: [],
        WRONG.name: [],
        DOCS_EXAMPLE: [],
    }
    for line in stdout.splitlines():
        if ": note: " in line:
            continue
        match = ERROR_LINE.match(line)
        assert match, f"unexpected mypy output: {line}"
        errors[Path(match["path"]).name].append(
            (int(match["line"]), match["code"], match["message"])
        )
    return errors


def expected_errors() -> list[tuple[int, str, str | None]]:
    expected = []
    for number, text in enumerate(WRONG.read_text().splitlines(), start=1):
        marker = MARKER.search(text)
        if marker:
            fragment = marker["text"]
            expected.append((number, marker["code"], fragment.strip('"') if fragment else None))
    return expected


def test_correct_user_code_type_checks_cleanly(mypy_errors: dict[str, Any]) -> None:
    assert mypy_errors[CORRECT.name] == []


def test_the_typed_documents_page_examples_type_check(mypy_errors: dict[str, Any]) -> None:
    assert mypy_errors[DOCS_EXAMPLE] == []


def test_every_deliberate_mistake_is_reported_at_its_line(mypy_errors: dict[str, Any]) -> None:
    expected = expected_errors()
    assert len(expected) >= 15
    reported = mypy_errors[WRONG.name]
    assert sorted((line, code) for line, code, _ in reported) == sorted(
        (line, code) for line, code, _ in expected
    )
    for line, code, fragment in expected:
        if fragment is not None:
            [message] = [m for n, c, m in reported if (n, c) == (line, code)]
            assert fragment in message, (line, message)


def test_the_correct_calls_also_work_against_the_hub(node: Node) -> None:
    spec = importlib.util.spec_from_file_location("correct_calls", CORRECT)
    assert spec is not None
    assert spec.loader is not None
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    made = sample.use_the_sdk(node)
    customer = node.get_customer(id=made["customer_id"])
    assert customer.base.title == "Mr"
    assert customer.extended.points == 4
    assert [e.id for e in customer.base.educations] == ["edu"]
    assert customer.base.jobs[0].jobTitle == "Chairman"
    assert customer.base.subscriptions[0].preferences[0].value == "crime"
    assert isinstance(made["event"], Event)
    assert made["event"].type == "viewedPage"
    assert made["session_ids"]
    assert made["source_node"] == node.node_id
    assert {e.type for e in node.get_events(customer_id=made["customer_id"])} >= {"viewedPage"}
