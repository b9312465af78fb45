"""The query builder: form rows to the query document, and SDK code that finds the same customers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import ConsoleHub
from contacthub import Workspace
from contacthub_server.console import builder
from contacthub_server.query import parse_query


def form(
    *groups: tuple[str, list[tuple[str, str, str]]], combine: str = "INTERSECT"
) -> dict[str, str]:
    """The builder's form fields for groups of (attribute, operator, value) rows."""
    fields = {"combine": combine}
    for i, (conjunction, rows) in enumerate(groups):
        fields[f"g{i}.conj"] = conjunction
        for j, (attribute, operator, value) in enumerate(rows):
            fields.update(
                {f"g{i}.r{j}.attr": attribute, f"g{i}.r{j}.op": operator, f"g{i}.r{j}.value": value}
            )
    return fields


def test_one_row_is_a_simple_query_exactly_as_the_sdk_sends_it() -> None:
    document = builder.query_document(
        builder.parse_form(form(("and", [("base.firstName", "EQUALS", "Mario")])))
    )
    assert document == {
        "name": "query",
        "query": {
            "type": "simple",
            "name": "query",
            "are": {
                "condition": {
                    "type": "atomic",
                    "attribute": "base.firstName",
                    "operator": "EQUALS",
                    "value": "Mario",
                }
            },
        },
    }


def test_values_are_typed_and_list_operators_split_on_commas() -> None:
    document = builder.query_document(
        builder.parse_form(
            form(
                (
                    "or",
                    [
                        ("extended.points", "GTE", "10"),
                        ("extended.ratio", "LT", "0.5"),
                        ("extended.active", "EQUALS", "true"),
                        ("tags.manual", "IN", "vip, gold"),
                        ("base.dob", "BETWEEN", "1980-01-01, 1990-12-31"),
                        ("base.pictureUrl", "IS_NULL", "ignored"),
                    ],
                )
            )
        )
    )
    assert document is not None
    condition = document["query"]["are"]["condition"]
    assert condition["conjunction"] == "or"
    assert [c.get("value") for c in condition["conditions"]] == [
        10,
        0.5,
        True,
        ["vip", "gold"],
        ["1980-01-01", "1990-12-31"],
        None,
    ]
    assert "value" not in condition["conditions"][5]
    parse_query(document)  # the hub's own parser accepts what the builder makes


def test_groups_combine_and_empty_rows_are_left_out() -> None:
    fields = form(
        ("and", [("base.firstName", "EQUALS", "Mario"), ("", "EQUALS", "")]),
        ("and", [("base.lastName", "EQUALS", "Rossi")]),
        combine="EXCEPT",
    )
    document = builder.query_document(builder.parse_form(fields))
    assert document is not None
    assert document["query"]["type"] == "combined"
    assert document["query"]["conjunction"] == "EXCEPT"
    assert len(document["query"]["queries"]) == 2
    assert builder.query_document(builder.parse_form(form(("and", [("", "EQUALS", "")])))) is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("base.firstName", "LIKE", "M%")], "group 1, row 1: unknown operator 'LIKE'"),
        ([("base.dob", "BETWEEN", "1980-01-01")], "group 1, row 1: BETWEEN takes two values"),
    ],
)
def test_a_row_that_cannot_be_a_condition_is_named(
    rows: list[tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(builder.BuildError, match=message):
        builder.query_document(builder.parse_form(form(("and", rows))))


def test_a_document_of_the_builders_shape_comes_back_as_rows() -> None:
    fields = form(
        ("or", [("base.firstName", "EQUALS", "Mario"), ("tags.auto", "IN", "a, b")]),
        ("and", [("base.dob", "BETWEEN", "1980-01-01, 1990-12-31")]),
        combine="UNION",
    )
    built = builder.parse_form(fields)
    document = builder.query_document(built)
    assert document is not None
    assert builder.rows_from_document(document) == built


QUERIES: dict[str, dict[str, str]] = {
    "equals": form(("and", [("base.address.city", "EQUALS", "Rome")])),
    "and-not": form(
        (
            "and",
            [("base.address.city", "EQUALS", "Rome"), ("base.firstName", "NOT_EQUALS", "Mario")],
        )
    ),
    "or-range": form(
        ("or", [("extended.points", "GT", "50"), ("base.firstName", "EQUALS", "Luigi")])
    ),
    "in-list": form(("and", [("tags.manual", "IN", "gold, silver")])),
    "not-in": form(("and", [("tags.manual", "NOT_IN", "gold")])),
    "between": form(("and", [("base.dob", "BETWEEN", "1980-01-01, 1985-12-31")])),
    "is-null": form(("and", [("extended.points", "IS_NULL", "")])),
    "union": form(
        ("and", [("base.firstName", "EQUALS", "Mario")]),
        ("and", [("base.firstName", "EQUALS", "Anna")]),
        combine="UNION",
    ),
    "intersect": form(
        ("and", [("base.address.city", "EQUALS", "Rome")]),
        ("and", [("tags.manual", "IN", "gold")]),
        combine="INTERSECT",
    ),
    "except": form(
        ("and", [("base.address.city", "EQUALS", "Rome")]),
        ("and", [("base.firstName", "EQUALS", "Mario")]),
        combine="EXCEPT",
    ),
}
EXPECTED = {
    "equals": {"Mario", "Anna"},
    "and-not": {"Anna"},
    "or-range": {"Mario", "Luigi"},
    "in-list": {"Mario", "Luigi"},
    "not-in": {"Luigi", "Anna"},
    "between": {"Mario"},
    "is-null": {"Anna"},
    "union": {"Mario", "Anna"},
    "intersect": {"Mario"},
    "except": {"Anna"},
}


@pytest.fixture
def people(console_hub: ConsoleHub) -> dict[str, str]:
    """Three customers to query: first name -> id."""
    rows: list[tuple[str, str, str, list[str], dict[str, Any]]] = [
        ("Mario", "Rome", "1982-05-01", ["gold"], {"points": 80}),
        ("Luigi", "Milan", "1990-01-01", ["silver"], {"points": 20}),
        ("Anna", "Rome", "1975-03-03", [], {}),
    ]
    return {
        name: console_hub.customer(
            base={"firstName": name, "dob": dob, "address": {"city": city}},
            tags={"manual": tags, "auto": []},
            extended=extended,
        )["id"]
        for name, city, dob, tags, extended in rows
    }


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_console_the_api_and_the_shown_sdk_code_find_the_same_customers(
    name: str, console_hub: ConsoleHub, people: dict[str, str]
) -> None:
    document = builder.query_document(builder.parse_form(QUERIES[name]))
    expected = {people[first] for first in EXPECTED[name]}

    page = console_hub.signed_in().get(
        f"{console_hub.url}/console/w/{console_hub.ws}/query", params={**QUERIES[name], "run": "1"}
    )
    assert page.status_code == 200, page.text
    shown = {line.split('"')[0] for line in page.text.split('<tr data-id="')[1:]}
    assert shown == expected

    api = console_hub.api(
        "GET",
        "/customers",
        params={
            "nodeId": console_hub.credentials.node_id,
            "query": json.dumps(document),
            "size": 50,
        },
    )
    assert {c["id"] for c in api.json()["elements"]} == expected

    credentials = console_hub.credentials
    workspace = Workspace(credentials.workspace_id, credentials.token, console_hub.server.base_url)
    namespace: dict[str, Any] = {"node": workspace.get_node(credentials.node_id)}
    exec(builder.sdk_code(document), namespace)
    assert {c.id for c in namespace["customers"]} == expected


def test_a_query_the_sdk_builder_cannot_say_is_shown_as_its_document() -> None:
    document = builder.query_document(builder.parse_form(QUERIES["except"]))
    code = builder.sdk_code(document)
    assert "node.get_customers(query=query)" in code
    assert "'EXCEPT'" in code
