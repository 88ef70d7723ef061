"""flowlang values are JSON values: the operators and conversions both engines use."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flowlang.runtime.errors import FlowError, Where, suggest


class Stream:
    """A lazy sequence of records (what `each sys.op(…)` gives); iterating it fetches pages."""

    __slots__ = ("_factory", "label")

    def __init__(self, factory: Callable[[], Iterator[Any]], label: str = "stream") -> None:
        self._factory = factory
        self.label = label

    def __iter__(self) -> Iterator[Any]:
        return self._factory()

    def __repr__(self) -> str:
        return f"<stream {self.label}>"


def type_name(v: Any) -> str:
    """The flowlang type of a value: null, boolean, number, string, list, object."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list | Stream):
        return "list"
    if isinstance(v, dict):
        return "object"
    if callable(v):
        return "function"
    return type(v).__name__


def is_number(v: Any) -> bool:
    kind = type(v)
    if kind is int or kind is float:  # the common case, without two isinstance calls
        return True
    return isinstance(v, int | float) and not isinstance(v, bool)


def truthy(v: Any) -> bool:
    """Falsy: null false 0 "" [] {}; everything else is truthy (a stream is always truthy)."""
    if v is None or v is False:
        return False
    if isinstance(v, Stream):
        return True
    if isinstance(v, int | float | str | list | dict):
        return bool(v)
    return True


def equal(a: Any, b: Any) -> bool:
    """Deep equality; a boolean never equals a number, 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    return bool(a == b)


def to_json(v: Any, indent: int | None = None) -> str:
    """JSON text of a value (non-ASCII kept as is); streams are read to the end."""
    return json.dumps(v, ensure_ascii=False, indent=indent, default=_json_default)


def _json_default(v: Any) -> Any:
    if isinstance(v, Stream):
        return list(v)
    raise TypeError(f"{type_name(v)} is not a JSON value")


def to_text(v: Any) -> str:
    """How a value reads inside a string interpolation or `string()`."""
    kind = type(v)  # the common cases first, by exact type (a bool is not an int here): half the time
    if kind is str:
        return v
    if kind is int:
        return str(v)
    if isinstance(v, str):
        return v
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    return to_json(v)


def _type_error(op: str, a: Any, b: Any, where: Where) -> FlowError:
    return FlowError("data", f"cannot {op} {type_name(a)} and {type_name(b)}", where)


def add(a: Any, b: Any, where: Where = None) -> Any:
    """`+`: numbers add, strings join, lists concatenate; anything else is an error."""
    kind = type(a)
    if kind is type(b) and (kind is int or kind is str):  # the common cases first
        return a + b
    if is_number(a) and is_number(b):
        try:
            result = a + b
        except OverflowError:  # a whole number too large for a float met a float
            raise _too_large(where) from None
        if isinstance(result, float) and (result == _INFINITY or result == -_INFINITY):
            raise _too_large(where)
        return result
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, list) and isinstance(b, list):
        return a + b
    raise _type_error("add", a, b, where)


def arith(op: str, a: Any, b: Any, where: Where = None) -> Any:
    """`- * / %` on numbers; `/` gives an int when the division is exact."""
    if not (is_number(a) and is_number(b)):
        verb = {"-": "subtract", "*": "multiply", "/": "divide", "%": "take the remainder of"}[op]
        raise _type_error(verb, a, b, where)
    try:
        if op == "-":
            result = a - b
        elif op == "*":
            result = a * b
        elif b == 0:
            raise FlowError("data", "division by zero", where)
        elif op == "%":
            return a % b
        elif isinstance(a, int) and isinstance(b, int) and a % b == 0:
            return a // b
        else:
            result = a / b
    except OverflowError:  # a whole number too large for a float met a float
        raise _too_large(where) from None
    if isinstance(result, float) and (result == _INFINITY or result == -_INFINITY):
        raise _too_large(where)
    return result


def _too_large(where: Where) -> FlowError:
    return FlowError("data", "number too large: the result is beyond about 1.8e308", where)


_INFINITY = float("inf")


def negate(a: Any, where: Where = None) -> Any:
    if not is_number(a):
        raise FlowError("data", f"cannot negate {type_name(a)}", where)
    return -a


def compare(op: str, a: Any, b: Any, where: Where = None) -> bool:
    """`< <= > >=` between two numbers or two strings."""
    if not ((is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str))):
        raise FlowError("data", f"cannot compare {type_name(a)} and {type_name(b)} with {op}", where)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def contains(container: Any, item: Any, where: Where = None) -> bool:
    """`item in container`: list membership (deep), object key, or substring."""
    if type(item) is str and type(container) is list:
        return item in container  # == on a str is `equal`: true only for a str of the same text
    if isinstance(container, list | Stream):
        return any(equal(x, item) for x in container)
    if isinstance(container, dict):
        return isinstance(item, str) and item in container
    if isinstance(container, str):
        if not isinstance(item, str):
            raise FlowError("data", f"cannot look for {type_name(item)} in a string", where)
        return item in container
    raise FlowError("data", f"cannot use 'in' on {type_name(container)}", where)


def get_attr(obj: Any, name: str, where: Where = None, path: str = "value") -> Any:
    """`obj.name`; a missing field is an error naming the data path and close keys."""
    if isinstance(obj, dict):
        try:
            return obj[name]
        except KeyError:
            close = suggest(name, obj.keys())
            raise FlowError(
                "data",
                f"{path} has no field '{name}'",
                where,
                hint=f"did you mean '{close}'?" if close else None,
            ) from None
    raise FlowError("data", f"{path} is {type_name(obj)}, not an object: cannot read '.{name}'", where)


def get_attr_optional(obj: Any, name: str) -> Any:
    """`obj?.name`: null when obj is null, not an object, or lacks the field."""
    if isinstance(obj, dict):
        return obj.get(name)
    return None


def get_index(obj: Any, index: Any, where: Where = None, path: str = "value", key: str = "…") -> Any:
    """`obj[index]`: a list position (negative counts from the end), an object key, a character.

    `key` is the source text of the index (for the hint at `obj?[key]` when the key or position is missing).
    """
    if isinstance(obj, dict):
        if not isinstance(index, str):
            raise FlowError("data", f"{path} is an object: its keys are strings, not {type_name(index)}", where)
        try:
            return obj[index]
        except KeyError:
            close = suggest(index, obj.keys())
            hint = _optional_hint(path, key, "the key is missing")
            raise FlowError("data", f"{path} has no field '{index}'", where,
                            hint=f"did you mean '{close}'? {hint}" if close else hint) from None
    if isinstance(obj, list | str):
        if not (isinstance(index, int) and not isinstance(index, bool)):
            raise FlowError("data", f"{path} is a {type_name(obj)}: index with a whole number, not {type_name(index)}", where)
        try:
            return obj[index]
        except IndexError:
            raise FlowError(
                "data", f"{path}[{index}] is out of range ({path} has {_items(len(obj))})", where,
                hint=_optional_hint(path, key, "the position is out of range"),
            ) from None
    raise FlowError("data", f"{path} is {type_name(obj)}: it cannot be indexed", where)


def _optional_hint(path: str, key: str, when: str) -> str:
    return f"`{path}?[{key}]` is null when {when}: write `{path}?[{key}] ?? default` for a default"


def get_index_optional(obj: Any, index: Any, where: Where = None, path: str = "value") -> Any:
    """`obj?[index]`: null when obj is null, when the object has no such key, when the list or string has no
    such position; a wrong kind of key or a value that cannot be indexed is the error `obj[index]` gives."""
    if obj is None:
        return None
    if isinstance(obj, dict) and isinstance(index, str):
        return obj.get(index)
    if isinstance(obj, list | str) and isinstance(index, int) and not isinstance(index, bool):
        return obj[index] if -len(obj) <= index < len(obj) else None
    return get_index(obj, index, where, path)


def _items(count: int) -> str:
    return f"{count} item{'' if count == 1 else 's'}"


def set_item(obj: Any, key: Any, value: Any, where: Where = None, path: str = "value") -> None:
    """`obj.key = value` or `obj[key] = value`."""
    if isinstance(obj, dict):
        if not isinstance(key, str):
            raise FlowError("data", f"{path} is an object: its keys are strings, not {type_name(key)}", where)
        obj[key] = value
    elif isinstance(obj, list):
        if not (isinstance(key, int) and not isinstance(key, bool)):
            raise FlowError("data", f"{path} is a list: index with a whole number, not {type_name(key)}", where)
        try:
            obj[key] = value
        except IndexError:
            raise FlowError(
                "data", f"{path}[{key}] is out of range ({path} has {_items(len(obj))})", where
            ) from None
    else:
        raise FlowError("data", f"{path} is {type_name(obj)}: cannot set '{key}' on it", where)


def augment(op: str, current: Any, value: Any, where: Where = None) -> Any:
    """`+=` / `-=`: on a list, `+=` appends the items of value in place and returns the list."""
    if type(current) is int and type(value) is int:  # a counter or a sum: the common case first
        return current + value if op == "+=" else current - value
    if op == "+=" and isinstance(current, list):
        if isinstance(value, list | Stream):
            current.extend(value)
        else:
            current.append(value)
        return current
    if op == "+=":
        return add(current, value, where)
    return arith("-", current, value, where)


def as_list(v: Any) -> list[Any]:
    """`v` itself when it is a list, else a TypeError: a compiled fast copy then runs its slow copy."""
    if type(v) is list:
        return v
    raise TypeError("not a list")


def iterate(v: Any, where: Where = None) -> Iterable[Any]:
    """What `for x in v` walks: list items, object keys, or the records of a stream."""
    if isinstance(v, list | Stream):
        return v
    if isinstance(v, dict):
        return list(v.keys())
    raise FlowError("data", f"cannot loop over {type_name(v)}", where)


def iterate_pairs(v: Any, where: Where = None) -> Iterable[tuple[Any, Any]]:
    """What `for i, x in v` walks: (index, item) of a list or stream, (key, value) of an object."""
    if isinstance(v, list | Stream):
        return enumerate(v)
    if isinstance(v, dict):
        return list(v.items())
    raise FlowError("data", f"cannot loop over {type_name(v)}", where)


# ---------------------------------------------------------------- reading JSON


def parse_json(data: str | bytes, charset: str | None = None) -> Any:
    """Strict JSON (RFC 8259) as flowlang reads it everywhere (inputs, responses, tokens).

    `NaN`, `Infinity` and numbers too large for a float are errors, not values no JSON tool could
    write back; bytes are decoded with `charset` when one is declared (else UTF-8/16/32 detection).
    Raises ValueError (json.JSONDecodeError for syntax) or RecursionError for too deep nesting.
    """
    if isinstance(data, bytes) and charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            data = data.decode(charset)
        except LookupError:
            raise ValueError(f"unknown charset {charset!r}") from None
    return json.loads(data, parse_constant=_reject_constant, parse_float=_parse_float)


def _reject_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON number")


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise ValueError(f"the number {text} is too large")
    return value
