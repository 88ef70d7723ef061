"""Text builtins: results, edge cases and the errors they raise."""

from __future__ import annotations

from typing import Any

import pytest
from flowlang.stdlib import load_all

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import Stream

BUILTINS = load_all()


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].fn(*args, **named)


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("upper", ["straße"], "STRASSE"),
        ("lower", ["ÀB"], "àb"),
        ("trim", ["  a b \n"], "a b"),
        ("trim", ["--a-b--", "-"], "a-b"),
        ("split", ["a,b,,c", ","], ["a", "b", "", "c"]),
        ("split", ["  a  b\tc "], ["a", "b", "c"]),
        ("split", ["abc", ""], ["a", "b", "c"]),
        ("split", ["", ","], [""]),
        ("join", [["a", 1, None, True], "-"], "a-1-null-true"),
        ("join", [[]], ""),
        ("replace", ["a.b.c", ".", "/"], "a/b/c"),
        ("starts_with", ["invoice-7", "invoice"], True),
        ("ends_with", ["invoice-7", "7"], True),
        ("substring", ["abcdef", 1, 3], "bc"),
        ("substring", ["abcdef", -2], "ef"),
        ("substring", ["abc", 5], ""),
        ("length", ["añb"], 3),
        ("length", [[1, 2]], 2),
        ("length", [{"a": 1}], 1),
    ],
)
def test_text_builtin_results(name: str, args: list[Any], expected: Any) -> None:
    assert call(name, *args) == expected


def test_wrong_type_error_names_the_builtin_and_both_types() -> None:
    with pytest.raises(FlowError) as caught:
        call("upper", 42)
    assert caught.value.kind == "data"
    assert caught.value.message == "upper() expects a string, got number"
    assert caught.value.where is None


def test_wrong_type_of_a_named_parameter_is_named() -> None:
    with pytest.raises(
        FlowError, match=r"pad_left\(\) expects width to be a whole number, got string"
    ):
        call("pad_left", "7", "3")


def test_null_is_not_silently_accepted_as_text() -> None:
    with pytest.raises(FlowError, match=r"lower\(\) expects a string, got null"):
        call("lower", None)


def test_contains_finds_substrings_list_members_and_object_keys() -> None:
    assert call("contains", "hello", "ell") is True
    assert call("contains", [1, {"a": 1}], {"a": 1.0}) is True
    assert call("contains", {"a": 1}, "a") is True
    assert call("contains", {"a": 1}, "b") is False


def test_contains_rejects_a_number_inside_a_string() -> None:
    with pytest.raises(FlowError, match="contains"):
        call("contains", "123", 1)


def test_contains_reads_a_stream() -> None:
    assert call("contains", Stream(lambda: iter([1, 2, 3])), 3) is True


def test_pad_left_pads_numbers_as_text() -> None:
    assert call("pad_left", 7, 3, "0") == "007"


def test_pad_with_a_multi_character_fill_is_cut_to_width() -> None:
    assert call("pad_left", "ab", 5, fill="xy") == "xyxab"
    assert call("pad_right", "ab", 5, fill="xy") == "abxyx"


def test_pad_never_truncates_longer_text() -> None:
    assert call("pad_right", "abcdef", 3) == "abcdef"


def test_pad_rejects_an_empty_fill() -> None:
    with pytest.raises(FlowError, match="fill"):
        call("pad_left", "a", 3, "")


def test_replace_rejects_an_empty_search_text() -> None:
    with pytest.raises(FlowError, match="old"):
        call("replace", "abc", "", "x")


def test_slugify_drops_accents_and_joins_words_with_dashes() -> None:
    assert call("slugify", "  Créate Customers — P21 → Magento! ") == "create-customers-p21-magento"


def test_slugify_of_only_symbols_is_empty() -> None:
    assert call("slugify", "!!!") == ""


def test_matches_searches_anywhere_in_the_text() -> None:
    assert call("matches", "order #123", r"\d+") is True
    assert call("matches", "order", r"^\d+$") is False


def test_invalid_regular_expression_is_a_data_error() -> None:
    with pytest.raises(FlowError, match="invalid regular expression") as caught:
        call("matches", "abc", "[")
    assert caught.value.kind == "data"


def test_regex_replace_inserts_groups_with_dollar_numbers() -> None:
    assert call("regex_replace", "2026-11-23", r"(\d+)-(\d+)-(\d+)", "$3.$2.$1") == "23.11.2026"


def test_regex_replace_inserts_named_groups_and_literal_dollars() -> None:
    assert call("regex_replace", "EUR 5", r"(?P<cur>[A-Z]+) (\d)", "$2 $<cur> $$") == "5 EUR $"


def test_regex_replace_keeps_backslashes_in_the_replacement_literal() -> None:
    assert call("regex_replace", "a/b", "/", "\\") == "a\\b"


def test_regex_replace_with_a_missing_group_is_a_data_error() -> None:
    with pytest.raises(FlowError, match="bad replacement"):
        call("regex_replace", "abc", "b", "$2")


def test_length_counts_the_records_of_a_stream() -> None:
    assert call("length", Stream(lambda: iter(range(5)))) == 5


def test_length_of_a_number_is_an_error() -> None:
    with pytest.raises(
        FlowError, match=r"length\(\) expects a string, a list or an object, got number"
    ):
        call("length", 5)
