"""The query builder's JSON: every operator and combination, in the shapes of contract §5.4."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from contacthub.errors import OperationNotPermitted
from contacthub.models import Customer
from contacthub.models.query import Query, between_, in_, not_in_
from contacthub.models.query.criterion import Criterion


@pytest.fixture(autouse=True)
def _utc_local_time(local_time_zone: Callable[[str], None]) -> None:
    # Naive datetimes are local time: these expectations are written for a machine on UTC.
    local_time_zone("UTC")


class RecordingNode:
    """Stands in for a Node where only the arguments of get_customers matter."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def get_customers(self, **kwargs: Any) -> list[Any]:
        self.calls.append(kwargs)
        return []


def wrapped(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "query",
        "query": {"type": "simple", "name": "query", "are": {"condition": condition}},
    }


def atomic(attribute: str, operator: str, value: Any = ...) -> dict[str, Any]:
    condition = {"type": "atomic", "attribute": attribute, "operator": operator}
    if value is not ...:
        condition["value"] = value
    return condition


def query_of(criterion: Criterion) -> dict[str, Any] | None:
    return Query(None, Customer).filter(criterion).to_dict()


@pytest.mark.parametrize(
    ("criterion", "condition"),
    [
        (Customer.base.firstName == "Mario", atomic("base.firstName", "EQUALS", "Mario")),
        (Customer.base.firstName != "Mario", atomic("base.firstName", "NOT_EQUALS", "Mario")),
        (Customer.extended.points > 3, atomic("extended.points", "GT", 3)),
        (Customer.extended.points >= 3, atomic("extended.points", "GTE", 3)),
        (Customer.extended.points < 3.5, atomic("extended.points", "LT", 3.5)),
        (Customer.extended.points <= 3, atomic("extended.points", "LTE", 3)),
        (Customer.base.pictureUrl == None, atomic("base.pictureUrl", "IS_NULL")),  # noqa: E711
        (Customer.base.pictureUrl != None, atomic("base.pictureUrl", "IS_NOT_NULL")),  # noqa: E711
        (in_("vip", Customer.tags.auto), atomic("tags.auto", "IN", "vip")),
        (not_in_("vip", Customer.tags.manual), atomic("tags.manual", "NOT_IN", "vip")),
        (in_(["a", "b"], Customer.nodeId), atomic("nodeId", "IN", ["a", "b"])),
        (
            between_(
                Customer.base.dob,
                datetime(2011, 12, 11, tzinfo=timezone.utc),
                datetime(2015, 12, 11, tzinfo=timezone.utc),
            ),
            atomic(
                "base.dob",
                "BETWEEN",
                ["2011-12-11T00:00:00.000+0000", "2015-12-11T00:00:00.000+0000"],
            ),
        ),
        (
            between_(Customer.base.dob, "2011-12-11", "2015-12-11"),
            atomic("base.dob", "BETWEEN", ["2011-12-11", "2015-12-11"]),
        ),
        (Customer.base.dob == date(2011, 12, 11), atomic("base.dob", "EQUALS", "2011-12-11")),
        (
            Customer.registeredAt < datetime(2010, 6, 10, 8, 30, 15, 250000, tzinfo=timezone.utc),
            atomic("registeredAt", "LT", "2010-06-10T08:30:15.250+0000"),
        ),
        (Customer.enabled == True, atomic("enabled", "EQUALS", True)),  # noqa: E712
    ],
)
def test_each_operator_gives_its_atomic_condition(
    criterion: Criterion, condition: dict[str, Any]
) -> None:
    assert query_of(criterion) == wrapped(condition)


def test_aware_datetimes_are_converted_to_utc() -> None:
    rome = timezone(timedelta(hours=2))
    criterion = Customer.updatedAt >= datetime(2020, 6, 1, 12, 0, tzinfo=rome)
    assert criterion.to_condition()["value"] == "2020-06-01T10:00:00.000+0000"


def test_and_of_two_criteria() -> None:
    criterion = (Customer.base.firstName == "Mario") & (Customer.base.lastName == "Rossi")
    assert query_of(criterion) == wrapped(
        {
            "type": "composite",
            "conjunction": "and",
            "conditions": [
                atomic("base.firstName", "EQUALS", "Mario"),
                atomic("base.lastName", "EQUALS", "Rossi"),
            ],
        }
    )


def test_or_of_two_criteria() -> None:
    criterion = (Customer.base.firstName == "Mario") | (Customer.base.firstName == "Luigi")
    assert query_of(criterion) == wrapped(
        {
            "type": "composite",
            "conjunction": "or",
            "conditions": [
                atomic("base.firstName", "EQUALS", "Mario"),
                atomic("base.firstName", "EQUALS", "Luigi"),
            ],
        }
    )


def test_chains_of_one_conjunction_are_flattened_and_mixed_ones_nested() -> None:
    a = Customer.base.firstName == "a"
    b = Customer.base.lastName == "b"
    c = Customer.extra == "c"
    assert (a & b & c).to_condition()["conditions"] == [
        a.to_condition(),
        b.to_condition(),
        c.to_condition(),
    ]
    assert (a | (b & c)).to_condition() == {
        "type": "composite",
        "conjunction": "or",
        "conditions": [
            a.to_condition(),
            {
                "type": "composite",
                "conjunction": "and",
                "conditions": [b.to_condition(), c.to_condition()],
            },
        ],
    }


def test_successive_filters_are_and_ed() -> None:
    query = (
        Query(None, Customer)
        .filter(Customer.base.firstName == "Bruce")
        .filter((Customer.base.lastName == "Wayne") & (Customer.extra == "x"))
        .filter(Customer.base.dob <= datetime(1994, 6, 10))
    )
    assert query.to_dict() == wrapped(
        {
            "type": "composite",
            "conjunction": "and",
            "conditions": [
                atomic("base.firstName", "EQUALS", "Bruce"),
                atomic("base.lastName", "EQUALS", "Wayne"),
                atomic("extra", "EQUALS", "x"),
                atomic("base.dob", "LTE", "1994-06-10T00:00:00.000+0000"),
            ],
        }
    )


def test_filter_returns_a_new_query_and_leaves_the_first_unchanged() -> None:
    base = Query(None, Customer).filter(Customer.base.firstName == "Bruce")
    narrower = base.filter(Customer.base.lastName == "Wayne")
    assert base.to_dict() == wrapped(atomic("base.firstName", "EQUALS", "Bruce"))
    assert narrower is not base


def simple(condition: dict[str, Any]) -> dict[str, Any]:
    return {"type": "simple", "name": "query", "are": {"condition": condition}}


def test_queries_combine_into_intersect_and_union() -> None:
    q1 = Query(None, Customer).filter(Customer.base.firstName == "Mario")
    q2 = Query(None, Customer).filter(Customer.base.pictureUrl != None)  # noqa: E711
    both = q1 & q2
    either = q1 | q2
    first = simple(atomic("base.firstName", "EQUALS", "Mario"))
    second = simple(atomic("base.pictureUrl", "IS_NOT_NULL"))
    assert both.to_dict() == {
        "name": "query",
        "query": {
            "type": "combined",
            "name": "query",
            "conjunction": "INTERSECT",
            "queries": [first, second],
        },
    }
    assert either.to_dict() == {
        "name": "query",
        "query": {
            "type": "combined",
            "name": "query",
            "conjunction": "UNION",
            "queries": [first, second],
        },
    }


def test_combined_queries_flatten_the_same_conjunction_and_nest_others() -> None:
    q1 = Query(None, Customer).filter(Customer.extra == "1")
    q2 = Query(None, Customer).filter(Customer.extra == "2")
    q3 = Query(None, Customer).filter(Customer.extra == "3")
    assert len((q1 & q2 & q3).to_dict()["query"]["queries"]) == 3  # type: ignore[index]
    nested = ((q1 | q2) & q3).to_dict()["query"]  # type: ignore[index]
    assert nested["conjunction"] == "INTERSECT"
    assert nested["queries"][0]["conjunction"] == "UNION"
    assert nested["queries"][1] == simple(atomic("extra", "EQUALS", "3"))


def test_filtering_a_combined_query_is_not_permitted() -> None:
    q1 = Query(None, Customer).filter(Customer.extra == "1")
    q2 = Query(None, Customer).filter(Customer.extra == "2")
    with pytest.raises(OperationNotPermitted, match="combined query cannot be filtered"):
        (q1 & q2).filter(Customer.extra == "3")


def test_a_query_without_filters_cannot_be_combined() -> None:
    with pytest.raises(OperationNotPermitted, match="without filters"):
        Query(None, Customer) & Query(None, Customer).filter(Customer.extra == "1")


def test_all_passes_the_query_sort_and_paging_to_the_node() -> None:
    node = RecordingNode()
    query = (
        Query(node, Customer)
        .filter(Customer.base.firstName == "Bruce")
        .sort(Customer.base.lastName, "DESC")
        .sort("registeredAt")
    )
    query.all(page=2, size=5)
    assert node.calls == [
        {
            "query": wrapped(atomic("base.firstName", "EQUALS", "Bruce")),
            "sort": ["base.lastName,desc", "registeredAt,asc"],
            "page": 2,
            "size": 5,
        }
    ]


def test_all_of_an_unfiltered_query_sends_no_query() -> None:
    node = RecordingNode()
    Query(node, Customer).all()
    assert node.calls == [{}]


def test_a_query_can_start_from_the_json_of_another() -> None:
    original = Query(None, Customer).filter(Customer.extra == "1")
    again = Query(None, Customer, previous_query=original.to_dict())
    assert again.to_dict() == original.to_dict()
    from_inner = Query(None, Customer, previous_query=original.to_dict()["query"])  # type: ignore[index]
    assert from_inner.to_dict() == original.to_dict()
    with pytest.raises(ValueError, match="simple or combined"):
        Query(None, Customer, previous_query={"type": "weird"})


def test_misuse_gives_clear_errors() -> None:
    with pytest.raises(TypeError, match=r"combine criteria with & and \|"):
        bool(Customer.extra == "1")
    with pytest.raises(TypeError, match="filter\\(\\) takes a criterion"):
        Query(None, Customer).filter("base.firstName == 'x'")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a field"):
        in_("vip", ["a", "b"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot compare extra with a object"):
        _ = Customer.extra == object()
    with pytest.raises(ValueError, match="unknown operator 'LIKE'"):
        Criterion(Customer.extra, "LIKE", "x")
    with pytest.raises(ValueError, match="'asc' or 'desc'"):
        Query(None, Customer).sort("extra", "up")
