"""Run code examples, as written in prose, against a live hub.

Used by ``test_guide_examples.py`` (the examples of the SDK guide the user gave us) and
``test_docs_examples.py`` (the fenced ``python`` blocks of our own ``docs/``).

How an example runs:

* Its code is executed with ``exec`` in a namespace that a setup function prepared (real customers,
  items and events created on the hub, Python objects such as ``my_customer``), so the free
  variables of the prose resolve to real things.
* Placeholder string literals (``'workspace_id'``, ``'c_id'`` ...) are replaced by the real values
  before it runs. Only whole string *tokens* whose value is a known placeholder are replaced (found
  with :mod:`tokenize`), so the rest of the code is exactly what the reader sees.
* Requests for the production API (``https://api.contactlab.it/hub/v1``, the SDK's default base URL)
  are sent to the local hub instead, at the ``requests`` adapter, like an ``/etc/hosts`` entry
  would. So ``Workspace(workspace_id=..., token=...)`` runs as written, default base URL included,
  and nothing ever leaves the machine.
* When the last statement is a bare expression (``customers.next_page()``), its value is kept in
  ``_`` as the interactive interpreter does, so a check can look at it.
* Whatever the example prints is captured for the check.
"""

from __future__ import annotations

import ast
import contextlib
import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

PRODUCTION_BASE_URL = "https://api.contactlab.it/hub/v1"


def substitute_placeholders(code: str, values: dict[str, str]) -> str:
    """Replace every string literal whose value is a key of ``values`` by the mapped value."""
    if not values:
        return code
    lines = code.splitlines(keepends=True)
    edits: list[tuple[tuple[int, int], tuple[int, int], str]] = []
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    try:
        for tok in tokens:
            if tok.type != tokenize.STRING:
                continue
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):  # f-strings and the like are left alone
                continue
            if isinstance(value, str) and value in values:
                edits.append((tok.start, tok.end, repr(values[value])))
    except (tokenize.TokenError, IndentationError):
        # Code that does not tokenize will not compile either: let the compiler report it.
        return code
    # Apply from the end so that earlier positions stay valid.
    for (srow, scol), (erow, ecol), text in reversed(edits):
        assert srow == erow, "placeholders are single-line literals"
        line = lines[srow - 1]
        lines[srow - 1] = line[:scol] + text + line[ecol:]
    return "".join(lines)


def compile_example(code: str, filename: str, first_line: int = 1) -> Any:
    """Compile ``code`` so that tracebacks name ``filename`` at the right line.

    A trailing bare expression becomes ``_ = <expression>``.
    """
    tree = ast.parse(code, filename=filename)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        assign = ast.Assign(targets=[ast.Name(id="_", ctx=ast.Store())], value=last.value)
        tree.body[-1] = ast.copy_location(assign, last)
    ast.fix_missing_locations(tree)
    if first_line != 1:
        ast.increment_lineno(tree, first_line - 1)
    return compile(tree, filename, "exec")


@dataclass
class Redirect:
    """Counts the requests for the production API that went to the local hub instead."""

    base_url: str
    hits: int = 0
    foreign: list[str] = field(default_factory=list)


@contextlib.contextmanager
def production_redirect(monkeypatch: pytest.MonkeyPatch, hub_base_url: str) -> Iterator[Redirect]:
    """Send requests for the production API to the hub; refuse any other non-local host."""
    redirect = Redirect(hub_base_url)
    original = HTTPAdapter.send

    def send(self: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        url = request.url or ""
        if url.startswith(PRODUCTION_BASE_URL):
            redirect.hits += 1
            request.url = hub_base_url + url[len(PRODUCTION_BASE_URL) :]
        elif not url.startswith(("http://127.0.0.1", "http://localhost")):
            redirect.foreign.append(url)
            raise requests.exceptions.ConnectionError(f"tests never leave the machine: {url}")
        return original(self, request, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    yield redirect


class HubAPI:
    """Raw HTTP access to the hub, independent of the SDK, for checking what examples did."""

    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self.session = requests.Session()
        self.session.headers.update(hub.headers)
        self.root = f"{hub.base_url}/workspaces/{hub.workspace_id}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request to ``/workspaces/{ws}{path}``."""
        return self.session.request(method, self.root + path, timeout=30, **kwargs)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request that must succeed and return its JSON body (None if empty)."""
        response = self.request(method, path, **kwargs)
        assert response.ok, f"{method} {path} -> {response.status_code}: {response.text}"
        return response.json() if response.content else None

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        """The stored customer, or None when the hub answers 404."""
        response = self.request("GET", f"/customers/{customer_id}")
        if response.status_code == 404:
            return None
        assert response.ok, response.text
        return dict(response.json())

    def customers(self, **params: Any) -> list[dict[str, Any]]:
        """Every customer of the node (all pages)."""
        found: list[dict[str, Any]] = []
        page = 0
        while True:
            body = self.json(
                "GET",
                "/customers",
                params={"nodeId": self.hub.node_id, "page": page, "size": 50, **params},
            )
            found.extend(body["elements"])
            page += 1
            if page >= body["page"]["totalPages"]:
                return found

    def add_customer(self, **doc: Any) -> dict[str, Any]:
        """Create a customer in the hub's node and return it."""
        return dict(self.json("POST", "/customers", json={"nodeId": self.hub.node_id, **doc}))

    def events(self, customer_id: str) -> list[dict[str, Any]]:
        """The events of a customer (first 50)."""
        body = self.json("GET", "/events", params={"customerId": customer_id, "size": 50})
        return list(body["elements"])

    def add_event(self, **doc: Any) -> str:
        """Store an event and return its id."""
        body = self.json("POST", "/events", json=doc)
        return str(body["id"])

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


@dataclass
class Run:
    """One example run: the namespace, placeholder values and what the code printed."""

    hub: Any
    api: HubAPI
    ns: dict[str, Any]
    values: dict[str, str]
    stdout: io.StringIO = field(default_factory=io.StringIO)
    example_id: int = 0

    def execute(self, code: str, filename: str, first_line: int = 1) -> None:
        """Run ``code`` in the namespace, placeholders replaced, printing captured."""
        code = substitute_placeholders(code, self.values)
        compiled = compile_example(code, filename, first_line)
        with contextlib.redirect_stdout(self.stdout):
            exec(compiled, self.ns)

    @property
    def printed(self) -> list[str]:
        """The lines the examples printed so far."""
        return self.stdout.getvalue().splitlines()
