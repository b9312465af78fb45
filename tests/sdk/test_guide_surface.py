"""The SDK's public surface matches the SDK guide, name by name.

The guide's API reference (from "API Reference" to its end) lists every public class, method,
module function, nested constant class and constant of the SDK, with its module path, parameter
names and, for constants, its value. This module parses that reference and turns every entry into
its own test case (the pytest id is the entry's dotted name), then checks a handful of names that
only the guide's prose uses, including the places where the guide spells one name two ways: both
spellings must work.

The guide lives outside this repository (``../shared/seed/`` beside the work tree, or the file
named by ``CONTACTHUB_SDK_GUIDE``). So that this test runs anywhere, the parsed entries are also
kept in ``guide_surface.json`` beside this file; when the guide is present, a test proves the file
is still exactly what the guide says. Regenerate it with::

    .venv/bin/python tests/sdk/test_guide_surface.py --write
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "guide_surface.json"
GUIDE_NAME = "000_6f8e5b7d8face361.txt"
GUIDE = Path(
    os.environ.get("CONTACTHUB_SDK_GUIDE") or HERE.parents[2] / "shared" / "seed" / GUIDE_NAME
)

# Below these counts the parser has lost track of the guide's layout; failing beats a test that
# passes because it checked nothing. (The guide documents 107 classes, methods and functions, and
# 421 constants.)
MIN_NAMES = 100
MIN_CONSTANTS = 400

NAME_KINDS = ("class", "exception", "enum", "method", "staticmethod", "classmethod", "function")


class GuideParseError(ValueError):
    """The guide's API reference has a line this parser cannot place."""


@dataclass
class GuideEntry:
    """One name the guide's API reference documents.

    ``kind`` is one of ``class``, ``exception``, ``enum`` (a class of constants nested in a
    class), ``constant``, ``method``, ``staticmethod``, ``classmethod`` and ``function``.
    ``params`` spells each documented parameter as ``name``, ``name=`` (has a default),
    ``*name`` or ``**name``; ``None`` when the guide gives no parameter list.
    """

    kind: str
    module: str
    qualname: str
    params: list[str] | None = None
    bases: list[str] = field(default_factory=list)
    value: Any = None

    @property
    def dotted(self) -> str:
        """The full dotted name, e.g. ``contacthub.node.Node.add_customer``."""
        return f"{self.module}.{self.qualname}"


_NAME = r"[A-Za-z_]\w*"
_CLASS = re.compile(rf"^(class|exception) (contacthub(?:\.{_NAME})+)(?:\((.*)\))?\[source\]$")
_NESTED = re.compile(r"^class ([A-Z][A-Z0-9_]*)\[source\]$")
_FUNCTION = re.compile(rf"^(contacthub(?:\.{_NAME})+)\.({_NAME})\((.*)\)\[source\]$")
# Inherited aliases (ReadOnlyList.append, ...) are listed without "[source]"; other lines of the
# form name(...) inside descriptions are examples, which always carry a receiver ("node.x(...)").
_METHOD = re.compile(rf"^(?:(static|classmethod) )?({_NAME})\((.*)\)(\[source\])?$")
_CONSTANT = re.compile(r"^([A-Z][A-Z0-9_]*) = (.+)$")
_BASES = re.compile(r"^Bases: (.+)$")


def _params(text: str, where: str) -> list[str]:
    # The guide writes parameter lists in Python syntax, so Python's own parser reads them.
    try:
        tree = ast.parse(f"def f({text}): pass")
    except SyntaxError as exc:
        raise GuideParseError(f"{where}: cannot read the parameter list ({text}): {exc}") from None
    args = tree.body[0].args  # type: ignore[attr-defined]
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    out = [a.arg + ("=" if i >= first_default else "") for i, a in enumerate(positional)]
    if args.vararg is not None:
        out.append("*" + args.vararg.arg)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append(arg.arg + ("" if default is None else "="))
    if args.kwarg is not None:
        out.append("**" + args.kwarg.arg)
    return out


def parse_reference(text: str) -> list[GuideEntry]:
    """Every entry of the guide's API reference, in the guide's order.

    Raises :class:`GuideParseError` naming the line when an entry line cannot be placed (a method
    outside a class, a constant outside a constant class, an unreadable parameter list, a line
    ending in ``[source]`` that matches no entry form) or when the reference is missing.
    """
    lines = text.splitlines()
    try:
        start = lines.index("API Reference")
    except ValueError:
        raise GuideParseError("the guide has no 'API Reference' line") from None
    entries: list[GuideEntry] = []
    seen: set[str] = set()
    top: GuideEntry | None = None  # the class the following methods and constant classes belong to
    nested: GuideEntry | None = None  # the constant class the following constants belong to
    bases_for: GuideEntry | None = None  # the class whose "Bases:" line may come next

    def add(entry: GuideEntry, where: str) -> GuideEntry:
        if entry.dotted in seen:
            raise GuideParseError(f"{where}: {entry.dotted} is documented twice")
        seen.add(entry.dotted)
        entries.append(entry)
        return entry

    for number, raw in enumerate(lines[start + 1 :], start=start + 2):
        line = raw.strip()
        where = f"guide line {number}"
        if match := _CLASS.match(line):
            kind, dotted, params = match.groups()
            module, name = dotted.rsplit(".", 1)
            top = add(
                GuideEntry(kind, module, name, None if params is None else _params(params, where)),
                where,
            )
            nested, bases_for = None, top
            continue
        if match := _BASES.match(line):
            if bases_for is None or bases_for.bases:
                raise GuideParseError(f"{where}: 'Bases:' does not follow a class")
            bases_for.bases = [base.strip() for base in match.group(1).split(",")]
            continue
        if match := _NESTED.match(line):
            if top is None:
                raise GuideParseError(f"{where}: constant class {match.group(1)} outside a class")
            nested = add(GuideEntry("enum", top.module, f"{top.qualname}.{match.group(1)}"), where)
            bases_for = None
            continue
        if match := _FUNCTION.match(line):
            module, name, params = match.groups()
            add(GuideEntry("function", module, name, _params(params, where)), where)
            top = nested = bases_for = None
            continue
        if (match := _METHOD.match(line)) and (match.group(1) or match.group(4)):
            prefix, name, params, _ = match.groups()
            if top is None:
                raise GuideParseError(f"{where}: method {name} outside a class")
            kind = {"static": "staticmethod", "classmethod": "classmethod"}.get(prefix, "method")
            add(
                GuideEntry(kind, top.module, f"{top.qualname}.{name}", _params(params, where)),
                where,
            )
            nested = bases_for = None
            continue
        if match := _CONSTANT.match(line):
            if nested is None:
                raise GuideParseError(
                    f"{where}: constant {match.group(1)} outside a constant class"
                )
            try:
                value = ast.literal_eval(match.group(2))
            except (ValueError, SyntaxError):
                raise GuideParseError(f"{where}: cannot read the value {match.group(2)}") from None
            add(
                GuideEntry(
                    "constant", nested.module, f"{nested.qualname}.{match.group(1)}", value=value
                ),
                where,
            )
            continue
        if line.endswith("[source]"):
            raise GuideParseError(f"{where}: an entry line this parser does not know: {line}")
    return entries


def _load_entries() -> tuple[list[GuideEntry], str]:
    if GUIDE.is_file():
        return parse_reference(GUIDE.read_text(encoding="utf-8")), f"the guide {GUIDE}"
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return [GuideEntry(**item) for item in data], f"{MANIFEST.name} (the guide is not at {GUIDE})"


ENTRIES, SOURCE = _load_entries()


def test_the_reference_yields_enough_entries_of_every_kind() -> None:
    kinds = [entry.kind for entry in ENTRIES]
    names = sum(kinds.count(kind) for kind in NAME_KINDS)
    assert names >= MIN_NAMES, f"only {names} classes, methods and functions parsed from {SOURCE}"
    constants = kinds.count("constant")
    assert constants >= MIN_CONSTANTS, f"only {constants} constants parsed from {SOURCE}"
    missing = {"constant", *NAME_KINDS} - set(kinds)
    assert not missing, f"no entry of kind {sorted(missing)} parsed from {SOURCE}"


@pytest.mark.skipif(not GUIDE.is_file(), reason=f"the SDK guide is not at {GUIDE}")
def test_the_checked_in_manifest_is_what_the_guide_says() -> None:
    recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert recorded == [asdict(entry) for entry in ENTRIES], (
        f"{MANIFEST.name} is stale: run `.venv/bin/python tests/sdk/test_guide_surface.py --write`"
    )


def test_the_parser_refuses_lines_it_cannot_place() -> None:
    with pytest.raises(GuideParseError, match="guide line 3: method post outside a class"):
        parse_reference("API Reference\n\npost()[source]\n")
    with pytest.raises(GuideParseError, match="constant A outside a constant class"):
        parse_reference("API Reference\nclass contacthub.x.Y[source]\nA = 'a'\n")
    with pytest.raises(GuideParseError, match="does not know: oops x\\[source\\]"):
        parse_reference("API Reference\noops x[source]\n")
    with pytest.raises(GuideParseError, match="no 'API Reference'"):
        parse_reference("class contacthub.x.Y[source]\n")


# -- checking one entry -------------------------------------------------------------------------

# Where the guide's value is a typo of the API's value, the SDK uses the API's value (an event
# sent with the guide's spelling would not be the event type the API defines). Each exception
# names the guide's value too, so that it stops applying if the guide is ever corrected.
API_VALUE_CORRECTIONS: dict[str, tuple[str, str, str]] = {
    "contacthub.models.event.Event.TYPES.ADDED_WISH_LIST": (
        "addedWishList",
        "addedWishlist",
        "the API's event type is addedWishlist (lower-case l); the guide's value is a typo",
    ),
    "contacthub.models.event.Event.TYPES.REMOVED_WISHLIST": (
        "removedWishList",
        "removedWishlist",
        "the API's event type is removedWishlist (lower-case l); the guide's value is a typo",
    ),
}

# Python 2 names in the guide's "Bases:" lines, and where they live in Python 3.
_PY2_NAMES = {"exceptions": "builtins"}


def _import_attr(dotted: str) -> Any:
    """The object at ``dotted``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    parts[0] = _PY2_NAMES.get(parts[0], parts[0])
    if len(parts) == 1:
        return getattr(importlib.import_module("builtins"), parts[0])
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    return getattr(importlib.import_module("builtins"), dotted)


def _resolve(entry: GuideEntry) -> tuple[Any, Any]:
    """(the owner, the object) for an entry; fails the test naming what is missing."""
    try:
        owner: Any = importlib.import_module(entry.module)
    except ImportError as exc:
        pytest.fail(f"module {entry.module} does not import: {exc}")
    obj = owner
    path = entry.module
    for name in entry.qualname.split("."):
        owner = obj
        if not hasattr(owner, name):
            pytest.fail(f"{path} has no attribute {name!r}")
        obj = getattr(owner, name)
        path = f"{path}.{name}"
    return owner, obj


def _signature_problems(signature: inspect.Signature, documented: list[str]) -> list[str]:
    """What keeps a call written from the guide's parameter list from binding to ``signature``."""
    params = list(signature.parameters.values())
    by_name = {p.name: p for p in params if p.kind is not p.POSITIONAL_ONLY}
    var_positional = any(p.kind is p.VAR_POSITIONAL for p in params)
    var_keyword = any(p.kind is p.VAR_KEYWORD for p in params)
    problems: list[str] = []
    plain: list[str] = []
    for spec in documented:
        if spec.startswith("**"):
            if not var_keyword:
                problems.append(f"takes no arbitrary keyword arguments ({spec})")
        elif spec.startswith("*"):
            if not var_positional:
                problems.append(f"takes no arbitrary positional arguments ({spec})")
        else:
            name, optional = spec.rstrip("="), spec.endswith("=")
            plain.append(name)
            param = by_name.get(name)
            if param is None:
                if not var_keyword:
                    problems.append(f"does not accept the keyword argument {name}")
            elif optional and param.default is param.empty:
                problems.append(f"requires {name}, which the guide gives a default")
    # A parameter the guide does not list cannot be required: calls written from the guide
    # would miss it.
    for p in params:
        variadic = p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        if not variadic and p.default is p.empty and p.name not in plain:
            problems.append(f"requires {p.name}, which the guide does not list")
    # Required parameters are the ones users pass by position (node.get_event('id')), so they
    # keep the guide's positions.
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for index, spec in enumerate(documented):
        if spec.endswith("=") or spec.startswith("*"):
            break
        beyond = index >= len(positional)
        if (beyond and not var_positional) or (not beyond and positional[index] != spec):
            problems.append(f"{spec} is not positional parameter {index + 1}")
    return problems


def _method_signature(owner: type, name: str) -> inspect.Signature:
    raw = inspect.getattr_static(owner, name)
    if isinstance(raw, staticmethod):
        return inspect.signature(raw.__func__)
    if isinstance(raw, classmethod):
        return inspect.signature(getattr(owner, name))
    signature = inspect.signature(raw)
    # An instance method's first parameter is the instance, which the guide leaves out.
    return signature.replace(parameters=list(signature.parameters.values())[1:])


def _check_class(entry: GuideEntry, cls: Any) -> None:
    assert inspect.isclass(cls), f"{entry.dotted} is not a class but {cls!r}"
    if entry.kind == "exception":
        assert issubclass(cls, BaseException), f"{entry.dotted} is not an exception class"
    for base_name in entry.bases:
        base = _import_attr(base_name)
        assert issubclass(cls, base), f"{entry.dotted} is not a {base_name}"
    if entry.params is not None:
        problems = _signature_problems(inspect.signature(cls), entry.params)
        assert not problems, f"{entry.dotted}({', '.join(entry.params)}): " + "; ".join(problems)


def _check_method(entry: GuideEntry, owner: Any, method: Any) -> None:
    name = entry.qualname.rsplit(".", 1)[1]
    raw = inspect.getattr_static(owner, name)
    if entry.kind == "staticmethod":
        assert isinstance(raw, staticmethod), f"{entry.dotted} is not a static method"
    elif entry.kind == "classmethod":
        assert isinstance(raw, classmethod), f"{entry.dotted} is not a class method"
    assert callable(method), f"{entry.dotted} is not callable"
    assert entry.params is not None
    problems = _signature_problems(_method_signature(owner, name), entry.params)
    assert not problems, f"{entry.dotted}({', '.join(entry.params)}): " + "; ".join(problems)


def _check_function(entry: GuideEntry, function: Any) -> None:
    assert inspect.isfunction(function), f"{entry.dotted} is not a function but {function!r}"
    assert entry.params is not None
    problems = _signature_problems(inspect.signature(function), entry.params)
    assert not problems, f"{entry.dotted}({', '.join(entry.params)}): " + "; ".join(problems)


def _check_constant(entry: GuideEntry, value: Any) -> None:
    expected = entry.value
    if entry.dotted in API_VALUE_CORRECTIONS:
        guide_value, api_value, reason = API_VALUE_CORRECTIONS[entry.dotted]
        assert expected == guide_value, f"the guide now says {expected!r}: drop the correction"
        assert value == api_value, f"{entry.dotted} is {value!r}, expected {api_value!r}: {reason}"
        return
    if isinstance(expected, list):
        assert isinstance(value, (list, tuple)), f"{entry.dotted} is {value!r}, not a list"
        value = list(value)
    assert value == expected, f"{entry.dotted} is {value!r}, the guide says {expected!r}"


def test_the_signature_check_flags_calls_the_guide_would_break() -> None:
    def matches(customer_id: str, tag: str, *, note: str = "") -> None: ...

    def renamed(customer: str, tag: str = "") -> None: ...

    def keyword_only(*, customer_id: str, tag: str) -> None: ...

    def takes_anything(*args: Any, **kwargs: Any) -> None: ...

    documented = ["customer_id", "tag"]
    assert _signature_problems(inspect.signature(matches), documented) == []
    assert _signature_problems(inspect.signature(renamed), documented) == [
        "does not accept the keyword argument customer_id",
        "requires customer, which the guide does not list",
        "customer_id is not positional parameter 1",
    ]
    assert _signature_problems(inspect.signature(keyword_only), documented) == [
        "customer_id is not positional parameter 1",
        "tag is not positional parameter 2",
    ]
    assert _signature_problems(inspect.signature(matches), ["*args", "**kwargs"]) == [
        "takes no arbitrary positional arguments (*args)",
        "takes no arbitrary keyword arguments (**kwargs)",
        "requires customer_id, which the guide does not list",
        "requires tag, which the guide does not list",
    ]
    assert _signature_problems(inspect.signature(takes_anything), ["id", "page="]) == []
    assert _signature_problems(inspect.signature(matches), ["customer_id", "tag="]) == [
        "requires tag, which the guide gives a default"
    ]


# Names the SDK does not match yet, by test id, with what is wrong. Strict: once the SDK is fixed
# the case passes, the xfail fails, and the line here must go.
SDK_GAPS: dict[str, str] = {}


def _cases(ids_and_values: list[tuple[str, Any]]) -> list[Any]:
    return [
        pytest.param(
            value,
            id=case_id,
            marks=[pytest.mark.xfail(strict=True, reason=SDK_GAPS[case_id])]
            if case_id in SDK_GAPS
            else [],
        )
        for case_id, value in ids_and_values
    ]


@pytest.mark.parametrize("entry", _cases([(entry.dotted, entry) for entry in ENTRIES]))
def test_documented_name(entry: GuideEntry) -> None:
    """The name exists where the guide puts it and has the documented shape or value."""
    owner, obj = _resolve(entry)
    if entry.kind in ("class", "exception"):
        _check_class(entry, obj)
    elif entry.kind == "enum":
        assert inspect.isclass(obj), f"{entry.dotted} is not a class of constants but {obj!r}"
    elif entry.kind == "constant":
        _check_constant(entry, obj)
    elif entry.kind == "function":
        _check_function(entry, obj)
    else:
        _check_method(entry, owner, obj)


# -- names only the guide's prose uses ----------------------------------------------------------


def _same_object(alias: str, original: str) -> Callable[[], None]:
    def check() -> None:
        assert _import_attr(alias) is _import_attr(original), f"{alias} is not {original}"

    return check


def _from_ini_file_both_spellings() -> None:
    import tempfile

    from contacthub import Workspace

    raw = inspect.getattr_static(Workspace, "from_INI_file")
    assert isinstance(raw, classmethod), "Workspace.from_INI_file is not a class method"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.INI"
        # The guide's template: key = value lines, no section header.
        path.write_text("workspace_id = ws-1\ntoken = tok-1\nbase_url = http://hub.test/hub/v1\n")
        read = [Workspace.from_INI_file(str(path)), Workspace.from_ini_file(str(path))]
    for workspace in read:
        assert (workspace.workspace_id, workspace.token) == ("ws-1", "tok-1")
        assert workspace.base_url.startswith("http://hub.test/hub/v1")
        workspace.close()


def _item_getter(noun: str) -> Callable[[], None]:
    def check() -> None:
        from contacthub import Node

        short, long = getattr(Node, f"get_{noun}"), getattr(Node, f"get_customer_{noun}")
        assert inspect.signature(short) == inspect.signature(long)
        problems = _signature_problems(
            _method_signature(Node, f"get_{noun}"), ["customer_id", f"{noun}_id"]
        )
        assert not problems, f"Node.get_{noun}: " + "; ".join(problems)

    return check


def _kinds(dotted: str) -> Callable[[], None]:
    def check() -> None:
        kinds = _import_attr(dotted)
        assert inspect.isclass(kinds), f"{dotted} is not a class of constants"
        # The guide's example uses SERVICE; the API's subscription kinds are these three.
        values = {
            name: getattr(kinds, name, None) for name in ("SERVICE", "DIGITAL_MESSAGE", "OTHER")
        }
        assert values == {
            "SERVICE": "SERVICE",
            "DIGITAL_MESSAGE": "DIGITAL_MESSAGE",
            "OTHER": "OTHER",
        }

    return check


def _customer_subscrption_kinds() -> None:
    from contacthub.models import Customer

    # The guide's misspelling is optional; where the models define it, it is the same class.
    if "SUBSCRPTION_KINDS" in vars(Customer):
        assert Customer.SUBSCRPTION_KINDS is Customer.SUBSCRIPTION_KINDS


def _read_only_list_refuses_changes() -> None:
    from contacthub.lib.read_only_list import ReadOnlyList

    items = ReadOnlyList([1, 2])
    for name in ("append", "extend", "insert", "pop", "remove", "reverse", "not_implemented"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(items, name)(0)
    with pytest.raises(ValueError, match="read-only"):
        items[0] = 3
    with pytest.raises(ValueError, match="read-only"):
        del items[0]
    assert items == [1, 2]


def _api_error_is_http_error() -> None:
    from contacthub import APIError

    assert issubclass(APIError, requests.exceptions.HTTPError)
    assert _import_attr("contacthub.errors.api_error.APIError") is APIError


def _event_get_event() -> None:
    from contacthub.models import Event

    # The guide's "Get a single event" example calls it on an event: event.get_event(id=...).
    problems = _signature_problems(_method_signature(Event, "get_event"), ["id"])
    assert not problems, "Event.get_event(id): " + "; ".join(problems)


PROSE_CHECKS: dict[str, Callable[[], None]] = {
    "contacthub.Workspace": _same_object("contacthub.Workspace", "contacthub.workspace.Workspace"),
    "contacthub.workspace.Workspace.from_INI_file": _from_ini_file_both_spellings,
    **{
        f"contacthub.node.Node.get_{noun}": _item_getter(noun)
        for noun in ("education", "job", "like", "subscription")
    },
    "contacthub.models.Customer": _same_object(
        "contacthub.models.Customer", "contacthub.models.customer.Customer"
    ),
    "contacthub.models.Event": _same_object(
        "contacthub.models.Event", "contacthub.models.event.Event"
    ),
    "contacthub.models.Properties": _same_object(
        "contacthub.models.Properties", "contacthub.models.properties.Properties"
    ),
    "contacthub.model.Education": _same_object(
        "contacthub.model.Education", "contacthub.models.education.Education"
    ),
    "contacthub.models.subscription.Subscription.KINDS": _kinds(
        "contacthub.models.subscription.Subscription.KINDS"
    ),
    "contacthub.models.customer.Customer.SUBSCRIPTION_KINDS": _kinds(
        "contacthub.models.customer.Customer.SUBSCRIPTION_KINDS"
    ),
    "contacthub.models.customer.Customer.SUBSCRPTION_KINDS": _customer_subscrption_kinds,
    # "IN: function in_ in contacthub.query module", and `from contacthub.models.query import in_`.
    **{
        f"contacthub.query.{name}": _same_object(
            f"contacthub.query.{name}", f"contacthub.models.query.{name}"
        )
        for name in ("in_", "not_in_", "between_")
    },
    "contacthub.lib.read_only_list.ReadOnlyList (forbidden operations)": _read_only_list_refuses_changes,
    "contacthub.APIError": _api_error_is_http_error,
    # "an ApiError Exception will be thrown" (Exception handling; also the reference's heading).
    "contacthub.errors.api_error.ApiError": _same_object(
        "contacthub.errors.api_error.ApiError", "contacthub.errors.api_error.APIError"
    ),
    "contacthub.models.event.Event.get_event": _event_get_event,
    # get_events' parameter notes name Event.CONTEXT beside the class's CONTEXTS.
    "contacthub.models.event.Event.CONTEXT": _same_object(
        "contacthub.models.event.Event.CONTEXT", "contacthub.models.event.Event.CONTEXTS"
    ),
}


@pytest.mark.parametrize("check", _cases(list(PROSE_CHECKS.items())))
def test_name_from_the_guides_prose(check: Callable[[], None]) -> None:
    """A name the guide's examples and notes use exists and is what they say."""
    check()


# -- the same names, used against a live hub ----------------------------------------------------


def test_both_item_getters_fetch_the_same_item(node: Any) -> None:
    """get_education and get_customer_education (and job, like, subscription) agree."""
    customer = node.add_customer(
        base={"firstName": "Ada", "contacts": {"email": "ada@example.com"}}
    )
    node.add_education(customer.id, id="ed1", schoolType="COLLEGE", schoolName="Poli")
    node.add_job(customer.id, id="jb1", companyName="ACME", jobTitle="Engineer")
    node.add_like(customer.id, id="lk1", name="Jazz", category="music")
    node.add_subscription(customer.id, id="sb1", name="News", kind="SERVICE")
    for noun, item_id in (
        ("education", "ed1"),
        ("job", "jb1"),
        ("like", "lk1"),
        ("subscription", "sb1"),
    ):
        short = getattr(node, f"get_{noun}")(customer_id=customer.id, **{f"{noun}_id": item_id})
        long = getattr(node, f"get_customer_{noun}")(customer.id, item_id)
        assert short.to_dict() == long.to_dict()
        assert short.to_dict()["id"] == item_id


def test_paginated_list_has_the_documented_attributes(node: Any) -> None:
    """size, total_elements, total_pages, total_unfiltered_elements and page_number."""
    for number in range(3):
        node.add_customer(base={"contacts": {"email": f"c{number}@example.com"}})
    page = node.get_customers(size=2, page=1)
    assert (page.size, page.total_elements, page.total_pages, page.page_number) == (2, 3, 2, 1)
    assert isinstance(page.total_unfiltered_elements, int)
    assert len(page) == 1
    assert [len(page.previous_page())] == [2]


def test_force_update_works_under_both_spellings(node: Any) -> None:
    """add_customer(force_update=True) and the guide's add_customer(forceUpdate=True) update."""
    from contacthub.models import Customer

    first = node.add_customer(externalId="x1", base={"contacts": {"email": "a@example.com"}})
    second = node.add_customer(
        externalId="x1",
        base={"contacts": {"email": "a@example.com"}, "firstName": "B"},
        forceUpdate=True,
    )
    assert second.id == first.id
    assert node.get_customer(id=first.id).base.firstName == "B"
    customer = Customer(node=node, externalId="x1")
    customer.base.contacts.email = "a@example.com"
    customer.base.firstName = "C"
    customer.post(forceUpdate=True)
    assert node.get_customer(id=first.id).base.firstName == "C"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"] or not GUIDE.is_file():
        sys.exit(f"usage: {sys.argv[0]} --write   (reads the guide at {GUIDE})")
    # One entry a line, so that a change in the guide shows as a readable diff.
    rows = (json.dumps(asdict(entry), ensure_ascii=False) for entry in ENTRIES)
    MANIFEST.write_text("[\n" + ",\n".join(rows) + "\n]\n", encoding="utf-8")
    print(f"wrote {len(ENTRIES)} entries to {MANIFEST}")
