"""Every code example of the SDK guide runs, as written, against a live hub and does what it says.

The examples live in ``guide_examples/guide.toml`` (verbatim, with the few corrections listed in
``docs/guide-corrections.md``). For each example this module has a *setup* (the hub state and the
Python objects the prose assumes: ``my_customer``, an education with id ``'education_id'`` ...) and
a *check* (its observable effect: the customer now exists with that email, the tag is gone ...).
``guide_harness`` explains how placeholders and the default base URL are handled.

Examples that continue an earlier one (``new_query = new_query.filter(...)``) name it in
``AFTER``: the earlier one's setup and code run first, in the same namespace.
"""

from __future__ import annotations

import base64
import importlib.metadata
import re
import threading
import tomllib
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from guide_harness import HubAPI, Run, production_redirect

EXAMPLES_FILE = Path(__file__).parent / "guide_examples" / "guide.toml"
EXAMPLES: dict[int, dict[str, Any]] = {
    e["id"]: e for e in tomllib.loads(EXAMPLES_FILE.read_text())["example"]
}

Setup = Callable[[Run], None]
Check = Callable[[Run], None]
SETUPS: dict[int, Setup] = {}
CHECKS: dict[int, Check] = {}
AFTER: dict[int, int] = {}


def setup(*ids: int, after: int | None = None) -> Callable[[Setup], Setup]:
    """Register the setup of the examples ``ids`` (optionally run after example ``after``)."""

    def register(fn: Setup) -> Setup:
        for i in ids:
            SETUPS[i] = fn
            if after is not None:
                AFTER[i] = after
        return fn

    return register


def check(*ids: int) -> Callable[[Check], Check]:
    """Register the check of the examples ``ids``."""

    def register(fn: Check) -> Check:
        for i in ids:
            CHECKS[i] = fn
        return fn

    return register


def code_of(example: dict[str, Any]) -> str:
    """The code that runs: the correction when the guide's text cannot run as written."""
    return str(example.get("corrected", example["guide"]))


def prepare(run: Run, example_id: int) -> None:
    """Run the setup of an example, after running the examples it continues."""
    if example_id in AFTER:
        earlier = AFTER[example_id]
        prepare(run, earlier)
        run.execute(code_of(EXAMPLES[earlier]), f"<guide example {earlier}>")
    if example_id in SETUPS:
        SETUPS[example_id](run)


# --- helpers used by setups and checks ---------------------------------------------------------


def unique_email(name: str = "someone") -> str:
    """An email address no other customer of the test uses."""
    return f"{name}.{uuid.uuid4().hex[:8]}@example.com"


def bruce(run: Run, **extra: Any) -> dict[str, Any]:
    """A stored customer, Bruce Wayne, with an email of his own."""
    base = {"firstName": "Bruce", "lastName": "Wayne", "contacts": {"email": unique_email("bruce")}}
    base.update(extra.pop("base", {}))
    return run.api.add_customer(base=base, **extra)


def customer_placeholders(run: Run, customer_id: str, *names: str) -> None:
    """Let each placeholder literal in ``names`` stand for the customer id."""
    for name in names:
        run.values[name] = customer_id


def service_event(customer_id: str, **extra: Any) -> dict[str, Any]:
    """A serviceSubscribed event document for a customer."""
    doc: dict[str, Any] = {
        "customerId": customer_id,
        "type": "serviceSubscribed",
        "context": "WEB",
        "properties": {"serviceId": "svc", "serviceName": "Service"},
    }
    doc.update(extra)
    return doc


def stored(run: Run, customer_id: str) -> dict[str, Any]:
    """The stored customer, which must exist."""
    doc = run.api.customer(customer_id)
    assert doc is not None, f"customer {customer_id} is not in the hub"
    return doc


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def run(hub: Any, node: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Run]:
    """A fresh namespace with the guide's implied imports, ``workspace`` and ``node``."""
    import contacthub
    from contacthub.models import Customer, Education, Event, Job, Like, Properties, Subscription

    monkeypatch.chdir(tmp_path)  # the INI example writes 'file.INI' in the working directory
    api = HubAPI(hub)
    ns: dict[str, Any] = {
        "__name__": "guide_example",
        # What the guide's examples use without importing it (it imports each once, elsewhere).
        "datetime": datetime,
        "Workspace": contacthub.Workspace,
        "Customer": Customer,
        "Properties": Properties,
        "Event": Event,
        "Education": Education,
        "Job": Job,
        "Like": Like,
        "Subscription": Subscription,
        "workspace": hub.workspace(),
        "node": node,
    }
    values = {
        "workspace_id": hub.workspace_id,
        "token": hub.token,
        "node_id": hub.node_id,
        "base_url": hub.base_url,
    }
    with production_redirect(monkeypatch, hub.base_url) as redirect:
        result = Run(hub=hub, api=api, ns=ns, values=values)
        result.ns["__redirect__"] = redirect
        yield result
    api.close()
    assert not redirect.foreign, f"an example tried to reach {redirect.foreign}"


PYTHON_IDS = sorted(i for i, e in EXAMPLES.items() if e["kind"] in ("python", "dict"))

# Examples that fail because of a known defect outside the docs, reported to the lead. Strict:
# the test fails as soon as the defect is fixed, so that the mark gets removed.
KNOWN_DEFECTS: dict[int, str] = {}


def _example_params() -> list[Any]:
    return [
        pytest.param(i, marks=pytest.mark.xfail(reason=KNOWN_DEFECTS[i], strict=True))
        if i in KNOWN_DEFECTS
        else i
        for i in PYTHON_IDS
    ]


def test_every_example_has_a_check() -> None:
    """No example merely runs: each python example has a check of its effect."""
    missing = [i for i in PYTHON_IDS if i not in CHECKS]
    assert not missing, f"guide examples without a check: {missing}"


def test_corrections_are_documented() -> None:
    """Every corrected example is listed, with its reason, in docs/guide-corrections.md."""
    text = (Path(__file__).parents[2] / "docs" / "guide-corrections.md").read_text()
    for i, example in EXAMPLES.items():
        if "corrected" in example:
            assert example["correction"], f"example {i} has no reason"
            assert f"Example {i}" in text, f"example {i} is not in docs/guide-corrections.md"


@pytest.mark.parametrize("example_id", _example_params())
def test_guide_example(run: Run, example_id: int) -> None:
    """The example runs against the hub and has the effect the guide describes."""
    example = EXAMPLES[example_id]
    run.example_id = example_id
    prepare(run, example_id)
    if example["kind"] == "dict":
        run.ns["_"] = eval(compile(example["guide"], f"<guide example {example_id}>", "eval"), {})
    else:
        run.execute(code_of(example), f"<guide example {example_id}>")
    CHECKS[example_id](run)


# --- 1-11: getting started ---------------------------------------------------------------------


def test_guide_example_1_install() -> None:
    """`pip install contacthub` gives the distribution named contacthub (not run: no network)."""
    assert EXAMPLES[1]["guide"].strip() == "pip install contacthub"
    assert importlib.metadata.distribution("contacthub").metadata["Name"] == "contacthub"


@check(2)
def _(run: Run) -> None:
    assert run.ns["contacthub"].Workspace is run.ns["Workspace"]


@check(3, 12)
def _(run: Run) -> None:
    ws = run.ns.get("my_workspace", run.ns["workspace"])
    before = run.ns["__redirect__"].hits
    assert list(ws.get_node(node_id=run.hub.node_id).get_customers()) == []
    assert run.ns["__redirect__"].hits > before, "the default base URL was not used"


@check(4, 14)
def _(run: Run) -> None:
    run.api.add_customer(base={"firstName": "Seen"})
    assert [c.base.firstName for c in run.ns["node"].get_customers()] == ["Seen"]


@setup(5)
def _(run: Run) -> None:
    bruce(run)
    run.api.add_customer(base={"firstName": "Diana", "contacts": {"email": unique_email()}})


@check(5)
def _(run: Run) -> None:
    assert sorted(run.printed) == ["Bruce", "Diana"]


@setup(6, 11)
def _(run: Run) -> None:
    customer = bruce(run)
    customer_placeholders(run, customer["id"], "id")
    for event_type in ("viewedPage", "loggedIn"):
        run.api.add_event(customerId=customer["id"], type=event_type, context="WEB", properties={})


@check(6)
def _(run: Run) -> None:
    assert run.printed == ["Welcome back Bruce"]
    assert run.ns["my_customer"].id == run.values["id"]


@setup(7)
def _(run: Run) -> None:
    bruce(run)
    bruce(run, base={"lastName": "Banner"})


@check(7)
def _(run: Run) -> None:
    # As printed, the query names `base.secondName`, which the schema does not have (it would
    # match nobody): the SDK refuses it. Corrected to `lastName`, it finds Bruce Wayne only.
    with pytest.raises(AttributeError, match=r"Customer\.base has no attribute 'secondName'"):
        exec(EXAMPLES[7]["guide"], dict(run.ns))
    assert [(c.base.firstName, c.base.lastName) for c in run.ns["fetched_customers"]] == [
        ("Bruce", "Wayne")
    ]


@check(8, 9)
def _(run: Run) -> None:
    mine = run.ns["my_customer"]
    doc = stored(run, mine.id)
    assert doc["base"]["contacts"]["email"] == "myemail@email.com"
    assert doc["extra"] == "extra"
    assert doc["extended"] == {"my_string": "my new extended property string"}
    assert mine.base.contacts.email == "myemail@email.com"


@setup(10)
def _(run: Run) -> None:
    customer_class = run.ns["Customer"]
    mine = customer_class(node=run.ns["node"])
    mine.base.contacts.email = "myemail@email.com"
    mine.extra = "extra"
    run.ns["my_customer"] = mine


@check(10)
def _(run: Run) -> None:
    (doc,) = run.api.customers()
    assert doc["base"]["contacts"]["email"] == "myemail@email.com"
    assert run.ns["my_customer"].id == doc["id"]


@check(11)
def _(run: Run) -> None:
    events = run.ns["events"]
    assert sorted(e.type for e in events) == ["loggedIn", "viewedPage"]


# --- 12-18: authentication, INI file, proxies --------------------------------------------------


@check(13)
def _(run: Run) -> None:
    before = run.ns["__redirect__"].hits
    assert list(run.ns["my_workspace"].get_node(node_id=run.hub.node_id).get_customers()) == []
    assert run.ns["__redirect__"].hits == before, "base_url was ignored"


def write_ini(run: Run, path: str) -> None:
    """Write the guide's INI template, placeholders replaced, where the example reads it."""
    text = EXAMPLES[16]["guide"]
    for key in ("workspace_id", "token", "base_url"):
        text = text.replace(f"= {key}", f"= {run.values[key]}")
    Path(path).write_text(text)


@setup(15)
def _(run: Run) -> None:
    write_ini(run, "file.INI")


@check(15)
def _(run: Run) -> None:
    before = run.ns["__redirect__"].hits
    node = run.ns["my_workspace"].get_node(node_id=run.hub.node_id)
    run.api.add_customer(base={"firstName": "FromIni"})
    assert [c.base.firstName for c in node.get_customers()] == ["FromIni"]
    assert run.ns["__redirect__"].hits == before, "base_url of the INI file was ignored"


def test_guide_example_16_ini_template(run: Run) -> None:
    """The INI template, filled in, is what `Workspace.from_ini_file` reads."""
    write_ini(run, "contacthub.ini")
    workspace = run.ns["Workspace"].from_ini_file("contacthub.ini")
    assert list(workspace.get_node(node_id=run.hub.node_id).get_customers()) == []


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that records what it is asked and relays plain-HTTP requests."""

    seen: list[tuple[str, str, str | None]]

    def _relay(self) -> None:
        self.seen.append((self.command, self.path, self.headers.get("Proxy-Authorization")))
        if self.command == "CONNECT":  # an HTTPS tunnel: we only record that it was asked for
            self.send_response(502)
            self.end_headers()
            return
        import requests

        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in ("proxy-authorization", "host")
        }
        with requests.Session() as session:
            session.trust_env = False  # the proxy variables point at this proxy itself
            upstream = session.request(
                self.command, self.path, headers=headers, data=body, timeout=30
            )
        self.send_response(upstream.status_code)
        for key, value in upstream.headers.items():
            if key.lower() not in ("transfer-encoding", "connection", "content-encoding"):
                self.send_header(key, value)
        self.end_headers()
        self.wfile.write(upstream.content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_CONNECT = _relay

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[tuple[str, str, str | None]]]]:
    """A local forward proxy: its address and the requests it saw."""
    seen: list[tuple[str, str, str | None]] = []
    handler = type("Proxy", (_Proxy,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def export_lines(example_id: int, proxy_address: str) -> dict[str, str]:
    """The variables an `export` example sets, with the proxy's address put in the guide's."""
    exported = {}
    for line in EXAMPLES[example_id]["guide"].splitlines():
        match = re.fullmatch(r'\$ export (\w+)="(.*)"', line.strip())
        assert match, line
        value = re.sub(r"10\.10\.1\.10:\d+", proxy_address, match.group(2))
        exported[match.group(1)] = value
    return exported


def test_guide_example_17_http_proxy(
    hub: Any, proxy: tuple[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTP_PROXY set as the guide shows, the SDK's requests go through that proxy."""
    address, seen = proxy
    for name, value in export_lines(17, address).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    node = hub.workspace().get_node(hub.node_id)
    assert list(node.get_customers()) == []
    assert any(command == "GET" and "/customers" in path for command, path, _ in seen)


def test_guide_example_18_proxy_basic_auth(
    hub: Any, proxy: tuple[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTPS_PROXY with user:pass makes the SDK tunnel through it with those credentials."""
    from contacthub import Workspace

    address, seen = proxy
    for name, value in export_lines(18, address).items():
        monkeypatch.setenv(name, value)
    workspace = Workspace(workspace_id=hub.workspace_id, token=hub.token)  # production URL
    with pytest.raises(Exception):  # noqa: B017,PT011  the proxy refuses the tunnel
        workspace.get_node(hub.node_id).get_customers()
    expected = "Basic " + base64.b64encode(b"user:pass").decode()
    assert ("CONNECT", "api.contactlab.it:443", expected) in seen


# --- 19-37: customers --------------------------------------------------------------------------


@check(19)
def _(run: Run) -> None:
    doc = stored(run, run.ns["my_customer"].id)
    assert doc["externalId"] == "01"
    assert doc["extra"] == "extra"
    assert doc["base"]["timezone"] == "Europe/Rome"
    assert (doc["base"]["firstName"], doc["base"]["lastName"]) == ("Bruce", "Wayne")
    assert doc["base"]["contacts"]["email"] == "email@email.com"


@check(20)
def _(run: Run) -> None:
    doc = stored(run, run.ns["new_customer"].id)
    assert doc["base"]["contacts"]["email"] == "email@example.com"
    assert doc["extended"] == {"my_string": "my new extended property string"}
    email_consent = doc["consents"]["marketing"]["automatic"]["email"]
    assert email_consent == {"status": True, "limitation": False, "objection": False}


@check(21)
def _(run: Run) -> None:
    # The template the guide shows is what a new Customer holds.
    assert run.ns["Customer"](node=run.ns["node"]).to_dict() == run.ns["_"]


@check(22)
def _(run: Run) -> None:
    assert run.ns["c"].to_dict() == {"base": {}}


@check(23)
def _(run: Run) -> None:
    (doc,) = run.api.customers()
    assert run.ns["my_customer"].id == doc["id"]
    contacts = doc["base"]["contacts"]
    assert (contacts["email"], contacts["fax"]) == ("bruce.wayne@darkknight.it", "fax")
    assert contacts["otherContacts"] == [{"value": "123", "name": "phone", "type": "MOBILE"}]
    address = doc["base"]["address"]
    assert (address["city"], address["province"]) == ("city", "province")
    assert address["geo"] == {"lat": 40, "lon": 100}


@setup(24)
def _(run: Run) -> None:
    mine = run.ns["Customer"](node=run.ns["node"])
    mine.base.contacts.email = unique_email()
    run.ns["my_customer"] = mine


EXTENDED = {"my_extended_int": 1, "my_extended_string": "string"}
EXTENDED_OBJECT = {"key": "value", "k": "v"}


@check(24)
def _(run: Run) -> None:
    extended = run.ns["my_customer"].to_dict()["extended"]
    assert extended == {**EXTENDED, "my_extended_object": EXTENDED_OBJECT}


@setup(25, after=24)
def _(run: Run) -> None:
    pass


@check(25)
def _(run: Run) -> None:
    doc = stored(run, run.ns["my_customer"].id)
    assert doc["extended"] == {**EXTENDED, "my_extended_object": EXTENDED_OBJECT}


@setup(26, after=19)
def _(run: Run) -> None:
    # Someone changed the customer since: the forced update must bring the guide's data back.
    first = run.ns["my_customer"].id
    run.values["first_id"] = first
    run.api.json("PATCH", f"/customers/{first}", json={"base": {"firstName": "Brucie"}})


@check(26)
def _(run: Run) -> None:
    mine = run.ns["my_customer"]
    assert mine.id == run.values["first_id"]
    (doc,) = run.api.customers()
    assert doc["base"]["firstName"] == "Bruce"
    assert mine.base.firstName == "Bruce"


@setup(27)
def _(run: Run) -> None:
    email = unique_email()
    existing = run.api.add_customer(base={"firstName": "Old", "contacts": {"email": email}})
    run.values["first_id"] = existing["id"]
    mine = run.ns["Customer"](node=run.ns["node"])
    mine.base.firstName = "Bruce"
    mine.base.contacts.email = email
    run.ns["my_customer"] = mine


@check(27)
def _(run: Run) -> None:
    (doc,) = run.api.customers()
    assert doc["id"] == run.values["first_id"]
    assert doc["base"]["firstName"] == "Bruce"


@setup(28)
def _(run: Run) -> None:
    for _ in range(3):
        bruce(run)


@check(28)
def _(run: Run) -> None:
    customers = run.ns["customers"]
    assert len(customers) == 3
    assert all(isinstance(c, run.ns["Customer"]) for c in customers)


@setup(29, 30, 66)
def _(run: Run) -> None:
    doc = bruce(run, tags={"manual": ["vip", "newsletter"], "auto": ["frequent"]})
    run.values["email"] = doc["base"]["contacts"]["email"]
    run.ns["my_customer"] = run.ns["node"].get_customer(id=doc["id"])


@check(29)
def _(run: Run) -> None:
    assert run.printed == [run.values["email"]]


@check(30)
def _(run: Run) -> None:
    assert run.printed == ["vip", "newsletter"]


@setup(31)
def _(run: Run) -> None:
    for i in range(50):
        run.api.add_customer(base={"firstName": f"N{i:02}", "contacts": {"email": unique_email()}})


def page_names(page: Any) -> list[str]:
    """The first names on a page of customers."""
    return [c.base.firstName for c in page]


@check(31)
def _(run: Run) -> None:
    customers = run.ns["customers"]
    assert (customers.size, customers.page_number) == (5, 2)
    assert (customers.total_elements, customers.total_pages) == (50, 10)
    assert customers.total_unfiltered_elements == 0
    # The hub lists customers in registration order: the second page of 5 (0-based) is 10-14.
    assert page_names(customers) == [f"N{i:02}" for i in range(10, 15)]


@setup(32, after=31)
def _(run: Run) -> None:
    pass


@check(32)
def _(run: Run) -> None:
    assert run.ns["_"].page_number == 3
    assert page_names(run.ns["_"]) == [f"N{i:02}" for i in range(15, 20)]
    assert run.ns["customers"].page_number == 2, "a PaginatedList never changes"


@setup(33, after=32)
def _(run: Run) -> None:
    pass


@check(33)
def _(run: Run) -> None:
    assert run.ns["_"].page_number == 1
    assert page_names(run.ns["_"]) == [f"N{i:02}" for i in range(5, 10)]


@setup(34)
def _(run: Run) -> None:
    run.values["first_id"] = bruce(run, externalId="01")["id"]
    bruce(run, externalId="other")


@check(34)
def _(run: Run) -> None:
    # Exactly one customer has that external id: the guide promises a Customer, not a list.
    customers = run.ns["customers"]
    assert isinstance(customers, run.ns["Customer"])
    assert customers.id == run.values["first_id"]


@setup(35)
def _(run: Run) -> None:
    bruce(run)


@check(35)
def _(run: Run) -> None:
    (customer,) = run.ns["_"]
    assert (customer.base.firstName, customer.base.lastName) == ("Bruce", "Wayne")
    # Only the asked fields come back (with the id): contacts is left out, as the API does.
    assert customer.base.to_dict() == {"firstName": "Bruce", "lastName": "Wayne"}


@setup(36)
def _(run: Run) -> None:
    customer_placeholders(run, bruce(run)["id"], "01")


@check(36)
def _(run: Run) -> None:
    assert run.ns["my_customer"].id == run.values["01"]
    assert run.ns["my_customer"].base.firstName == "Bruce"


@setup(37)
def _(run: Run) -> None:
    run.values["first_id"] = bruce(run, externalId="02")["id"]


@check(37)
def _(run: Run) -> None:
    assert run.ns["my_customer"].id == run.values["first_id"]
    assert run.ns["my_customer"].externalId == "02"


# --- 38-56: queries ----------------------------------------------------------------------------

PEOPLE = {
    "wayne90": ("Bruce", "Wayne", "1990-01-01", ["manual_tag"]),
    "wayne00": ("Bruce", "Wayne", "2000-05-05", []),
    "banner": ("Bruce", "Banner", "1969-12-18", ["manual_tag", "green"]),
    "batman": ("Batman", None, None, []),
    "diana": ("Diana", "Prince", "1995-03-03", []),
    "nobody": (None, None, None, []),
}


def add_people(run: Run) -> None:
    """Store the query examples' customers; `run.values[key]` is each one's id."""
    for key, (first, last, dob, tags) in PEOPLE.items():
        base = {"firstName": first, "lastName": last, "dob": dob}
        base = {k: v for k, v in base.items() if v is not None}
        base["contacts"] = {"email": unique_email(key)}
        run.values[key] = run.api.add_customer(base=base, tags={"manual": tags, "auto": []})["id"]


def found(run: Run, result: Any) -> set[str]:
    """The keys of PEOPLE that a query result (a Query or a list of customers) holds."""
    if hasattr(result, "all"):
        result = result.all()
    ids = {c.id for c in result}
    return {key for key in PEOPLE if run.values[key] in ids}


setup(38, *range(42, 55))(add_people)


@check(38)
def _(run: Run) -> None:
    assert found(run, run.ns["new_query"]) == set(PEOPLE)


@setup(39, after=38)
def _(run: Run) -> None:
    pass


@check(39)
def _(run: Run) -> None:
    assert found(run, run.ns["new_query"]) == {"wayne90", "wayne00"}


@setup(40, after=39)
def _(run: Run) -> None:
    pass


@check(40)
def _(run: Run) -> None:
    assert found(run, run.ns["new_query"]) == {"wayne90"}


@setup(41, after=40)
def _(run: Run) -> None:
    pass


@check(41)
def _(run: Run) -> None:
    assert found(run, run.ns["filtered_customers"]) == {"wayne90"}


QUERY_RESULTS = {
    42: {"wayne90", "wayne00", "banner"},
    43: {"batman", "diana", "nobody"},  # NOT_EQUALS is the exact complement of EQUALS
    44: {"wayne00", "diana"},
    45: {"wayne00", "diana"},
    46: set(),  # every customer registered just now, long after 2010
    47: set(),
    48: {"wayne90", "banner"},
    49: {"wayne00", "batman", "diana", "nobody"},
    50: {"wayne90", "banner"},
    51: {"nobody"},
    52: {"wayne90", "wayne00", "banner", "batman", "diana"},
}


@check(*QUERY_RESULTS)
def _(run: Run) -> None:
    assert found(run, run.ns["new_query"]) == QUERY_RESULTS[run.example_id]


@check(53)
def _(run: Run) -> None:
    assert found(run, run.ns["customers"]) == {"wayne90", "wayne00"}


@check(54)
def _(run: Run) -> None:
    assert found(run, run.ns["customers"]) == {"wayne90", "wayne00", "banner", "batman"}


@setup(55)
def _(run: Run) -> None:
    add_people(run)


@check(55)
def _(run: Run) -> None:
    assert found(run, run.ns["and_query"]) == {"wayne90", "wayne00"}
    assert found(run, run.ns["or_query"]) == {"wayne90", "wayne00", "banner"}


@setup(56, after=55)
def _(run: Run) -> None:
    pass


@check(56)
def _(run: Run) -> None:
    assert found(run, run.ns["filtered_customers"]) == {"wayne90", "wayne00"}


# --- 57-65: updates and deletes ----------------------------------------------------------------


@setup(57, 58, 60, 61, 63)
def _(run: Run) -> None:
    doc = bruce(run, extra="kept")
    customer_placeholders(run, doc["id"], "id", "customer_id")


@check(57, 58, 60, 61, 62)
def _(run: Run) -> None:
    (doc,) = run.api.customers()
    assert doc["base"]["contacts"]["email"] == "anotheremail@example.com"
    assert doc["base"]["firstName"] == "Bruce"
    updated = run.ns.get("updated_customer", run.ns.get("my_customer"))
    assert updated.base.contacts.email == "anotheremail@example.com"


@setup(59)
def _(run: Run) -> None:
    doc = bruce(run)
    run.ns["customer"] = run.ns["node"].get_customer(id=doc["id"])


@check(59)
def _(run: Run) -> None:
    customer = run.ns["customer"]
    (subscription,) = customer.base.subscriptions
    assert (subscription.id, subscription.kind) == ("id", "SERVICE")
    tracked = customer.get_mutation_tracker()["base"]["subscriptions"]
    assert [s["id"] for s in tracked] == ["id"]
    customer.patch()  # the change is a normal one: it can be sent
    (stored_subscription,) = stored(run, customer.id)["base"]["subscriptions"]
    assert stored_subscription["name"] == "name"


@setup(62, 64, 65, 113)
def _(run: Run) -> None:
    doc = bruce(run)
    run.values["first_id"] = doc["id"]
    run.ns["my_customer"] = run.ns["c"] = run.ns["node"].get_customer(id=doc["id"])


@check(63)
def _(run: Run) -> None:
    assert run.api.customer(run.values["customer_id"]) is None


@check(64, 65, 113)
def _(run: Run) -> None:
    assert run.api.customer(run.values["first_id"]) is None
    assert run.api.customers() == []


# --- 66-68: tags -------------------------------------------------------------------------------


@check(66)
def _(run: Run) -> None:
    assert run.printed == ["frequent", "vip", "newsletter"]


@setup(67, 68)
def _(run: Run) -> None:
    doc = bruce(run, tags={"manual": ["vip"], "auto": []})
    customer_placeholders(run, doc["id"], "customer_id")


@check(67)
def _(run: Run) -> None:
    assert stored(run, run.values["customer_id"])["tags"]["manual"] == ["vip", "manual_tag"]


@check(68)
def _(run: Run) -> None:
    assert stored(run, run.values["customer_id"])["tags"]["manual"] == ["vip"]
    # What the example guards against: the tag is not there, so remove_tag raises ValueError.
    with pytest.raises(ValueError, match="manual_tag"):
        run.ns["node"].remove_tag(run.values["customer_id"], "manual_tag")


# --- 69-100: educations, jobs, likes, subscriptions ----------------------------------------------
# The four kinds have the same eight examples, in the same order, starting at these ids.

ITEM_KINDS: dict[int, dict[str, Any]] = {
    69: {
        "path": "educations",
        "var": "education",
        "got": "customer_education",
        "stored": {
            "id": "education_id",
            "schoolType": "COLLEGE",
            "schoolName": "Gotham University",
            "schoolConcentration": "Chemistry",
            "isCurrent": False,
            "startYear": 1994,
            "endYear": 2000,
        },
        "changed": ("schoolConcentration", "my_education"),
        "added": ("01", "schoolName", "schoolName"),
        "customer_literal": "123",
    },
    77: {
        "path": "jobs",
        "var": "job",
        "got": "customer_job",
        "stored": {
            "id": "job_id",
            "jobTitle": "Engineer",
            "companyName": "Wayne Enterprises",
            "companyIndustry": "Industry",
            "isCurrent": True,
            "startDate": "2010-01-01",
        },
        "changed": ("jobTitle", "my_job"),
        "added": ("01", "companyName", "companyName"),
        "customer_literal": "123",
    },
    85: {
        "path": "likes",
        "var": "like",
        "got": "my_like",
        "stored": {
            "id": "like_id",
            "name": "Jazz",
            "category": "Music",
            "createdTime": "2020-01-01T00:00:00.000+0000",
        },
        "changed": ("name", "my_like"),
        "added": ("01", "category", "category"),
        "customer_literal": "123",
    },
    93: {
        "path": "subscriptions",
        "var": "subscription",
        "got": "customer_sub",
        "stored": {
            "id": "subscription_id",
            "name": "News",
            "type": "newsletter",
            "kind": "DIGITAL_MESSAGE",
            "subscribed": True,
        },
        "changed": ("name", "my_sub"),
        "added": ("02", "name", "name"),
        "customer_literal": "01",
    },
}


def item_kind(example_id: int) -> tuple[int, dict[str, Any]]:
    """The kind an item example is about, and its position (0-7) among the eight."""
    first = max(i for i in ITEM_KINDS if i <= example_id)
    return example_id - first, ITEM_KINDS[first]


def stored_items(run: Run, path: str) -> list[dict[str, Any]]:
    """The items of one kind in the customer's stored document."""
    return list(stored(run, run.values["c_id"])["base"][path])


def item_setup(run: Run) -> None:
    position, kind = item_kind(run.example_id)
    doc = bruce(run)
    customer_placeholders(run, doc["id"], "c_id", kind["customer_literal"])
    if position in (1, 2):  # the "add" examples start from a customer without items
        run.ns["my_customer"] = run.ns["node"].get_customer(id=doc["id"])
        return
    run.api.json("POST", f"/customers/{doc['id']}/{kind['path']}", json=kind["stored"])
    if position == 4:  # "Remove via the object" needs the item object the prose talks about
        getter = getattr(run.ns["node"], f"get_{kind['var']}")
        item = getter(doc["id"], kind["stored"]["id"])
        run.ns[kind["var"]] = item


def item_check(run: Run) -> None:
    position, kind = item_kind(run.example_id)
    items = stored_items(run, kind["path"])
    item_id = kind["stored"]["id"]
    attribute, variable = kind["changed"]
    if position == 0:  # get
        got = run.ns[kind["got"]]
        assert got.id == item_id
        assert got.to_dict()["id"] == item_id
        assert items == [{**items[0], **{k: v for k, v in kind["stored"].items() if k == "id"}}]
    elif position in (1, 2):  # add
        new_id, attribute, value = kind["added"]
        assert [i["id"] for i in items] == [new_id]
        assert items[0][attribute] == value
    elif position in (3, 4):  # remove
        assert items == []
    elif position == 5:  # change, locally only
        assert getattr(run.ns[variable], attribute) == "updated"
        assert items[0][attribute] == kind["stored"][attribute]
    else:  # update, via the node or the object
        assert [i["id"] for i in items] == [item_id]
        assert items[0][attribute] == "updated"


for _first in ITEM_KINDS:
    for _position in range(8):
        _example = _first + _position
        setup(_example, after=_first + 5 if _position in (6, 7) else None)(
            item_setup if _position not in (6, 7) else (lambda run: None)
        )
        check(_example)(item_check)


# --- 101-112: events, sessions, errors ---------------------------------------------------------


@setup(101)
def _(run: Run) -> None:
    doc = bruce(run)
    run.ns["my_customer"] = run.ns["node"].get_customer(id=doc["id"])


@check(101)
def _(run: Run) -> None:
    event = run.ns["event"].to_dict()
    assert event["customerId"] == run.ns["my_customer"].id
    assert (event["type"], event["context"]) == ("serviceSubscribed", "WEB")
    assert event["contextInfo"] == {"client": {"ip": "127.0.0.1"}}
    assert event["properties"]["extraProperties"] == {"extra": "extra"}


@setup(102, 103, after=101)
def _(run: Run) -> None:
    pass


@check(102, 103)
def _(run: Run) -> None:
    (event,) = run.api.events(run.ns["my_customer"].id)
    assert event["type"] == "serviceSubscribed"
    assert event["properties"]["serviceName"] == "serviceName"
    assert event["contextInfo"]["client"]["ip"] == "127.0.0.1"


@check(104)
def _(run: Run) -> None:
    assert uuid.UUID(run.ns["session_id"]).version == 4


@setup(105, after=104)
def _(run: Run) -> None:
    pass


@check(105)
def _(run: Run) -> None:
    bring_back = run.ns["event"].to_dict()["bringBackProperties"]
    assert (bring_back["type"], bring_back["value"]) == ("SESSION_ID", run.ns["session_id"])


@setup(106, after=105)
def _(run: Run) -> None:
    # The anonymous visitor's event is stored first; then the visitor signs up.
    run.ns["event"].post()
    customer_placeholders(run, bruce(run)["id"], "c_id")


@check(106)
def _(run: Run) -> None:
    (event,) = run.api.events(run.values["c_id"])
    assert event["bringBackProperties"]["value"] == run.ns["session_id"]
    assert event["customerId"] == run.values["c_id"]


@setup(107)
def _(run: Run) -> None:
    run.values["first_id"] = bruce(run, externalId="e_id")["id"]


@check(107)
def _(run: Run) -> None:
    event = run.ns["event"]
    assert event.to_dict()["bringBackProperties"]["type"] == "EXTERNAL_ID"
    event.post()
    (stored_event,) = run.api.events(run.values["first_id"])
    assert stored_event["type"] == "serviceSubscribed"


@setup(108, 109, 110, 111)
def _(run: Run) -> None:
    doc = bruce(run)
    customer_placeholders(run, doc["id"], "c_id")
    run.values["event_id"] = run.api.add_event(**service_event(doc["id"]))
    run.api.add_event(**service_event(doc["id"], context="MOBILE"))
    run.api.add_event(customerId=doc["id"], type="loggedIn", context="WEB", properties={})
    run.ns["my_customer"] = run.ns["node"].get_customer(id=doc["id"])


@check(108)
def _(run: Run) -> None:
    assert len(run.ns["events"]) == 3


@check(109)
def _(run: Run) -> None:
    (event,) = run.ns["events"]
    assert (event.type, event.context) == ("serviceSubscribed", "WEB")


@check(110)
def _(run: Run) -> None:
    assert sorted(run.printed) == ["loggedIn", "serviceSubscribed", "serviceSubscribed"]


@check(111)
def _(run: Run) -> None:
    event = run.ns["customer_event"]
    assert event.id == run.values["event_id"]
    assert (event.type, event.context) == ("serviceSubscribed", "WEB")


def test_guide_example_112_api_error_text(node: Any) -> None:
    """A 409 raises APIError whose text has the shape the guide shows."""
    from contacthub import APIError

    email = unique_email()
    first = node.add_customer(base={"contacts": {"email": email}})
    with pytest.raises(APIError) as caught:
        node.add_customer(base={"contacts": {"email": email}})
    error = caught.value
    shown = f"{type(error).__module__}.{type(error).__qualname__}: {error}"
    # The guide's sample, with its particular id, data and logref made general.
    sample = EXAMPLES[112]["guide"].strip()
    pattern = re.escape(sample)
    pattern = pattern.replace(re.escape("8b321dce-53c4-4029-8388-1938efa2090c"), first.id)
    pattern = pattern.replace(re.escape("data}"), r"\{.*\}").replace(re.escape("logref_n"), r"\S+")
    assert re.fullmatch(pattern, shown), shown
    assert error.status_code == 409
