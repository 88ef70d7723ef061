"""List and object builtins: lambdas, streams, sorting, grouping and paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flowlang.stdlib import load_all

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import Stream

BUILTINS = load_all()


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].fn(*args, **named)


def stream_of(items: list[Any], pulled: list[Any] | None = None) -> Stream:
    """A stream over `items` that records in `pulled` every record it hands out."""

    def records() -> Iterator[Any]:
        for item in items:
            if pulled is not None:
                pulled.append(item)
            yield item

    return Stream(records)


ORDERS = [
    {"id": 1, "customer": {"name": "Bea"}, "total": 30, "status": "open"},
    {"id": 2, "customer": {"name": "al"}, "total": 10.5, "status": "paid"},
    {"id": 3, "customer": {"name": "Cy"}, "total": None, "status": "open"},
]


def test_map_calls_the_lambda_with_each_item() -> None:
    assert call("map", [1, 2, 3], lambda x: x * 2) == [2, 4, 6]


def test_map_over_a_stream_returns_a_list() -> None:
    assert call("map", stream_of([1, 2]), lambda x: x + 1) == [2, 3]


def test_map_without_a_function_is_an_error() -> None:
    with pytest.raises(FlowError, match=r"map\(\) expects fn to be a function"):
        call("map", [1], "x")


def test_map_over_an_object_is_an_error() -> None:
    with pytest.raises(FlowError, match=r"map\(\) expects items to be a list, got object"):
        call("map", {"a": 1}, lambda x: x)


def test_filter_keeps_truthy_results() -> None:
    assert call("filter", [0, 1, "", "a", None, [], [0]], lambda x: x) == [1, "a", [0]]


def test_find_stops_reading_a_stream_at_the_first_match() -> None:
    pulled: list[Any] = []
    assert call("find", stream_of([1, 2, 3, 4], pulled), lambda x: x == 2) == 2
    assert pulled == [1, 2]


def test_find_without_a_match_is_null() -> None:
    assert call("find", [1], lambda x: x > 5) is None


def test_any_and_all_with_and_without_a_predicate() -> None:
    assert call("any", [0, None, 3]) is True
    assert call("all", [1, "a", 0]) is False
    assert call("any", [1, 2], lambda x: x > 1) is True
    assert call("all", [1, 2], lambda x: x > 1) is False


def test_any_of_nothing_is_false_and_all_of_nothing_is_true() -> None:
    assert call("any", []) is False
    assert call("all", []) is True


def test_count_with_and_without_a_predicate() -> None:
    assert call("count", [1, 2, 3]) == 3
    assert call("count", stream_of([1, 2, 3]), lambda x: x != 2) == 2


def test_sort_by_a_field_path_puts_null_keys_last() -> None:
    ids = [o["id"] for o in call("sort_by", ORDERS, "total")]
    assert ids == [2, 1, 3]


def test_sort_by_descending_still_puts_null_keys_last() -> None:
    ids = [o["id"] for o in call("sort_by", ORDERS, "total", descending=True)]
    assert ids == [1, 2, 3]


def test_sort_by_a_nested_path_and_a_lambda_agree() -> None:
    by_path = call("sort_by", ORDERS, "customer.name")
    by_lambda = call("sort_by", ORDERS, lambda o: o["customer"]["name"])
    assert by_path == by_lambda
    assert [o["id"] for o in by_path] == [1, 3, 2]  # case-sensitive: upper-case first


def test_sort_by_is_stable() -> None:
    items = [{"k": 1, "n": "a"}, {"k": 0, "n": "b"}, {"k": 1, "n": "c"}]
    assert [i["n"] for i in call("sort_by", items, "k")] == ["b", "a", "c"]
    assert [i["n"] for i in call("sort_by", items, "k", descending=True)] == ["a", "c", "b"]


def test_sort_by_does_not_change_its_input() -> None:
    items = [3, 1, 2]
    assert call("sort_by", items, lambda x: x) == [1, 2, 3]
    assert items == [3, 1, 2]


def test_sort_by_mixed_key_types_is_an_error() -> None:
    with pytest.raises(FlowError, match="cannot order number and string keys"):
        call("sort_by", [1, "a"], lambda x: x)


def test_sort_by_object_keys_is_an_error() -> None:
    with pytest.raises(FlowError, match="only order by numbers, strings or booleans"):
        call("sort_by", [{"a": 1}], lambda x: x)


def test_group_by_keeps_first_seen_order_and_turns_keys_into_text() -> None:
    groups = call("group_by", [{"n": 2}, {"n": 1}, {"n": 2}, {}], "n")
    assert list(groups) == ["2", "1", "null"]
    assert groups["2"] == [{"n": 2}, {"n": 2}]


def test_index_by_keeps_the_last_item_per_key() -> None:
    index = call("index_by", [{"id": 1, "v": "a"}, {"id": 1, "v": "b"}], "id")
    assert index == {"1": {"id": 1, "v": "b"}}


def test_unique_uses_deep_equality() -> None:
    items = [1, 1.0, True, {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1], [1], None, None]
    assert call("unique", items) == [1, True, {"a": 1, "b": 2}, [1], None]


def test_unique_by_key_keeps_the_first_item() -> None:
    assert call("unique", ORDERS, "status") == [ORDERS[0], ORDERS[1]]


def test_sum_by_treats_null_as_zero() -> None:
    assert call("sum_by", ORDERS, "total") == 40.5


def test_sum_by_rejects_text() -> None:
    with pytest.raises(FlowError, match="sum_by"):
        call("sum_by", ORDERS, "status")


def test_flatten_one_level_by_default() -> None:
    assert call("flatten", [1, [2, [3]], []]) == [1, 2, [3]]
    assert call("flatten", [1, [2, [3, [4]]]], 2) == [1, 2, 3, [4]]


def test_chunk_splits_into_batches() -> None:
    assert call("chunk", stream_of([1, 2, 3, 4, 5]), 2) == [[1, 2], [3, 4], [5]]
    assert call("chunk", [], 3) == []


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(FlowError, match="size to be 1 or more"):
        call("chunk", [1], 0)


def test_first_reads_only_the_first_record_of_a_stream() -> None:
    pulled: list[Any] = []
    assert call("first", stream_of([7, 8, 9], pulled)) == 7
    assert pulled == [7]


def test_first_and_last_of_nothing_are_null() -> None:
    assert call("first", []) is None
    assert call("last", stream_of([])) is None
    assert call("last", stream_of([1, 2])) == 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([3], [0, 1, 2]),
        ([1, 4], [1, 2, 3]),
        ([0, 10, 4], [0, 4, 8]),
        ([3, 0, -1], [3, 2, 1]),
        ([0], []),
    ],
)
def test_range(args: list[int], expected: list[int]) -> None:
    assert call("range", *args) == expected


def test_range_refuses_to_build_a_huge_list() -> None:
    with pytest.raises(FlowError, match="at most"):
        call("range", 10**9)


def test_range_step_zero_is_an_error() -> None:
    with pytest.raises(FlowError, match="step"):
        call("range", 0, 5, 0)


def test_zip_stops_at_the_shortest_list() -> None:
    assert call("zip", [1, 2, 3], ["a", "b"]) == [[1, "a"], [2, "b"]]
    assert call("zip") == []


def test_keys_values_entries_keep_object_order() -> None:
    obj = {"b": 1, "a": 2}
    assert call("keys", obj) == ["b", "a"]
    assert call("values", obj) == [1, 2]
    assert call("entries", obj) == [{"key": "b", "value": 1}, {"key": "a", "value": 2}]


def test_from_entries_reverses_entries_and_takes_pairs() -> None:
    obj = {"b": 1, "a": [2]}
    assert call("from_entries", call("entries", obj)) == obj
    assert call("from_entries", [["x", 1], [2, "two"]]) == {"x": 1, "2": "two"}


def test_from_entries_rejects_other_shapes() -> None:
    with pytest.raises(FlowError, match="from_entries"):
        call("from_entries", [[1, 2, 3]])


def test_merge_is_shallow_later_wins_and_skips_null() -> None:
    a = {"x": 1, "n": {"p": 1}}
    assert call("merge", a, None, {"x": 2, "n": {"q": 2}}) == {"x": 2, "n": {"q": 2}}
    assert a == {"x": 1, "n": {"p": 1}}


def test_merge_takes_one_list_of_objects() -> None:
    assert call("merge", [{"a": 1}, {"b": 2}]) == {"a": 1, "b": 2}


def test_merge_rejects_non_objects() -> None:
    with pytest.raises(FlowError, match=r"merge\(\) expects an object, got list"):
        call("merge", {"a": 1}, [1])


def test_pick_and_omit() -> None:
    obj = {"id": 1, "email": "a@b.c", "password": "x"}
    assert call("pick", obj, ["email", "id", "missing"]) == {"email": "a@b.c", "id": 1}
    assert call("omit", obj, ["password"]) == {"id": 1, "email": "a@b.c"}
    assert call("pick", obj, "id") == {"id": 1}


def test_pick_needs_string_keys() -> None:
    with pytest.raises(FlowError, match="keys to be a list of strings"):
        call("pick", {"a": 1}, [1])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.b[0].c", 5),
        ("a.b.0.c", 5),
        ("a.b[-1].c", 6),
        ('a["x.y"]', "dotted"),
        ("a.missing", None),
        ("a.b[9]", None),
        ("a.b.c", None),
        ("", {"a": {"b": [{"c": 5}, {"c": 6}], "x.y": "dotted"}}),
    ],
)
def test_get_follows_paths(path: str, expected: Any) -> None:
    data = {"a": {"b": [{"c": 5}, {"c": 6}], "x.y": "dotted"}}
    assert call("get", data, path) == expected


def test_get_takes_a_list_of_steps_and_a_default() -> None:
    data = {"a": [{"b": 1}]}
    assert call("get", data, ["a", 0, "b"]) == 1
    assert call("get", data, ["a", 1, "b"], "none") == "none"
    assert call("get", None, "a", 0) == 0


def test_get_with_a_malformed_path_is_an_error() -> None:
    with pytest.raises(FlowError, match=r"get\(\) cannot read the path 'a\.\.b' at position 3"):
        call("get", {}, "a..b")
