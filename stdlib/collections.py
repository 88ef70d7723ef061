"""List and object builtins: map/filter, sorting and grouping, slicing, and object reshaping."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

from flowlang.stdlib.common import (
    _as_list,
    _want_bool,
    _want_callable,
    _want_int,
    _want_list,
    _want_object,
    _want_strings,
    _wrong_type,
)
from flowlang.stdlib.registry import builtin

from flowlang.runtime.errors import FlowError
from flowlang.runtime.values import to_text, truthy, type_name

_PATH_STEP = re.compile(r"\[(-?\d+)\]|\[\"([^\"]*)\"\]|([^.\[\]]+)")
_MAX_RANGE = 10_000_000


@lru_cache(maxsize=512)
def _path_steps(fn: str, path: str) -> tuple[str | int, ...]:
    """`"a.b[0].c"` → ("a", "b", 0, "c"); `["key with . dots"]` quotes a key."""
    steps: list[str | int] = []
    pos = 0
    while pos < len(path):
        if path[pos] == "." and steps:
            pos += 1
        m = _PATH_STEP.match(path, pos)
        if m is None:
            raise FlowError("data", f"{fn}() cannot read the path {path!r} at position {pos + 1}")
        index, quoted, name = m.groups()
        steps.append(int(index) if index is not None else quoted if quoted is not None else name)
        pos = m.end()
    return tuple(steps)


def _follow(value: Any, steps: tuple[str | int, ...] | list[Any], default: Any) -> Any:
    """Walk `steps` into `value`; `default` as soon as a step is missing."""
    for step in steps:
        if type(value) is dict:
            if type(step) is not str:
                step = to_text(step)
            if step not in value:
                return default
            value = value[step]
        elif type(value) is list:
            if type(step) is str and (step.isdigit() or (step[:1] == "-" and step[1:].isdigit())):
                step = int(step)
            if type(step) is not int or not -len(value) <= step < len(value):
                return default
            value = value[step]
        else:
            return default
    return value


def _field_name(fn: str, key: Any) -> str | None:
    """The field of a key that is one field name ("team"), else None (a lambda, a path)."""
    if type(key) is str:
        steps = _path_steps(fn, key)
        if len(steps) == 1 and type(steps[0]) is str:
            return steps[0]
    return None


def _key_function(fn: str, key: Any) -> Callable[[Any], Any]:
    """A lambda as is, or a field path such as "name" or "address.city" (missing → null)."""
    name = _field_name(fn, key)
    if name is not None:
        return lambda item: item.get(name) if type(item) is dict else None
    if type(key) is str:
        steps = _path_steps(fn, key)
        return lambda item: _follow(item, steps, None)
    return _want_callable(fn, key, "key")


def _canonical(value: Any) -> Any:
    """A hashable stand-in with the equality of `values.equal` (1 == 1.0, true != 1, key order ignored)."""
    kind = type(value)
    if kind is str or kind is int or kind is float or value is None:
        return value
    if kind is bool:
        return ("\0bool", value)
    if kind is list:
        return ("\0list", tuple(_canonical(v) for v in value))
    if kind is dict:
        return ("\0object", frozenset((k, _canonical(v)) for k, v in value.items()))
    return ("\0other", id(value))


def _sort_rank(fn: str, keys: list[Any]) -> str | None:
    """The one kind of the non-null sort keys (number, string or boolean)."""
    kind = None
    for k in keys:
        if k is None:
            continue
        this = type_name(k)
        if this not in ("number", "string", "boolean"):
            raise FlowError(
                "data", f"{fn}() can only order by numbers, strings or booleans, got {this}"
            )
        if kind is None:
            kind = this
        elif this != kind:
            raise FlowError("data", f"{fn}() cannot order {kind} and {this} keys together")
    return kind


@builtin("map")
def fl_map(items: Any, fn: Any) -> list[Any]:
    """`fn(item)` for every item."""
    items = _want_list("map", items, "items")
    fn = _want_callable("map", fn, "fn")
    return [fn(item) for item in items]


@builtin("filter")
def fl_filter(items: Any, predicate: Any) -> list[Any]:
    """The items for which `predicate(item)` is truthy."""
    items = _want_list("filter", items, "items")
    predicate = _want_callable("filter", predicate, "predicate")
    return [item for item in items if truthy(predicate(item))]


@builtin("find")
def fl_find(items: Any, predicate: Any) -> Any:
    """The first item for which `predicate(item)` is truthy, or null."""
    items = _want_list("find", items, "items")
    predicate = _want_callable("find", predicate, "predicate")
    for item in items:
        if truthy(predicate(item)):
            return item
    return None


@builtin("any")
def fl_any(items: Any, predicate: Any = None) -> bool:
    """Whether some item (or `predicate(item)`) is truthy; false for an empty list."""
    items = _want_list("any", items, "items")
    if predicate is None:
        return any(truthy(item) for item in items)
    predicate = _want_callable("any", predicate, "predicate")
    return any(truthy(predicate(item)) for item in items)


@builtin("all")
def fl_all(items: Any, predicate: Any = None) -> bool:
    """Whether every item (or `predicate(item)`) is truthy; true for an empty list."""
    items = _want_list("all", items, "items")
    if predicate is None:
        return all(truthy(item) for item in items)
    predicate = _want_callable("all", predicate, "predicate")
    return all(truthy(predicate(item)) for item in items)


@builtin("count")
def fl_count(items: Any, predicate: Any = None) -> int:
    """How many items there are, or how many satisfy `predicate`."""
    items = _want_list("count", items, "items")
    if predicate is None:
        return len(items) if type(items) is list else sum(1 for _ in items)
    predicate = _want_callable("count", predicate, "predicate")
    return sum(1 for item in items if truthy(predicate(item)))


@builtin("sort_by")
def fl_sort_by(items: Any, key: Any, descending: Any = False) -> list[Any]:
    """A sorted copy; stable; `key` is a lambda or a field path; null keys go last."""
    items = _as_list(_want_list("sort_by", items, "items"))
    keyfn = _key_function("sort_by", key)
    descending = _want_bool("sort_by", descending, "descending")
    keys = [keyfn(item) for item in items]
    _sort_rank("sort_by", keys)
    present = [i for i, k in enumerate(keys) if k is not None]
    present.sort(key=keys.__getitem__, reverse=descending)
    return [items[i] for i in present] + [items[i] for i, k in enumerate(keys) if k is None]


@builtin("group_by")
def fl_group_by(items: Any, key: Any) -> dict[str, list[Any]]:
    """An object from each key (as text) to the items with that key, in first-seen order."""
    items = _want_list("group_by", items, "items")
    name = _field_name("group_by", key)
    keyfn = _key_function("group_by", key)
    groups: dict[str, list[Any]] = {}
    for item in items:
        # a field name is read in place: no call per item
        k = (item.get(name) if type(item) is dict else None) if name is not None else keyfn(item)
        groups.setdefault(k if type(k) is str else to_text(k), []).append(item)
    return groups


@builtin("index_by")
def fl_index_by(items: Any, key: Any) -> dict[str, Any]:
    """An object from each key (as text) to the item with that key; a later item wins."""
    items = _want_list("index_by", items, "items")
    keyfn = _key_function("index_by", key)
    index: dict[str, Any] = {}
    for item in items:
        k = keyfn(item)
        index[k if type(k) is str else to_text(k)] = item
    return index


@builtin("unique")
def fl_unique(items: Any, key: Any = None) -> list[Any]:
    """The items without repeats (deep equality, or equal `key`), first occurrence kept."""
    items = _want_list("unique", items, "items")
    keyfn = None if key is None else _key_function("unique", key)
    seen: set[Any] = set()
    result = []
    for item in items:
        marker = _canonical(item if keyfn is None else keyfn(item))
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result


@builtin("sum_by")
def fl_sum_by(items: Any, key: Any) -> int | float:
    """The sum of `key` over the items (a lambda or a field path); null counts as 0."""
    items = _want_list("sum_by", items, "items")
    keyfn = _key_function("sum_by", key)
    total: int | float = 0
    for item in items:
        value = keyfn(item)
        if type(value) is int or type(value) is float:
            total += value
        elif value is not None:
            raise _wrong_type("sum_by", "numbers as keys", value)
    return total


@builtin("flatten")
def fl_flatten(items: Any, depth: Any = 1) -> list[Any]:
    """Lists inside the list spliced into it, `depth` levels deep."""
    items = _want_list("flatten", items, "items")
    depth = _want_int("flatten", depth, "depth")
    result: list[Any] = []
    for item in items:
        if depth > 0 and type(item) is list:
            result.extend(fl_flatten(item, depth - 1) if depth > 1 else item)
        else:
            result.append(item)
    return result


@builtin("chunk")
def fl_chunk(items: Any, size: Any) -> list[list[Any]]:
    """The items in lists of `size` (the last may be shorter)."""
    items = _want_list("chunk", items, "items")
    size = _want_int("chunk", size, "size")
    if size < 1:
        raise FlowError("data", f"chunk() expects size to be 1 or more, got {size}")
    iterator: Iterator[Any] = iter(items)
    chunks = []
    while batch := list(islice(iterator, size)):
        chunks.append(batch)
    return chunks


@builtin("first")
def fl_first(items: Any) -> Any:
    """The first item, or null for an empty list (a stream stops after its first record)."""
    items = _want_list("first", items, "items")
    if type(items) is list:
        return items[0] if items else None
    return next(iter(items), None)


@builtin("last")
def fl_last(items: Any) -> Any:
    """The last item, or null for an empty list."""
    items = _want_list("last", items, "items")
    if type(items) is list:
        return items[-1] if items else None
    last = None
    for item in items:
        last = item
    return last


@builtin("range")
def fl_range(start: Any, stop: Any = None, step: Any = 1) -> list[int]:
    """Whole numbers from `start` up to, not including, `stop` (`range(3)` is [0, 1, 2])."""
    start = _want_int("range", start, "start")
    if stop is None:
        start, stop = 0, start
    stop = _want_int("range", stop, "stop")
    step = _want_int("range", step, "step")
    if step == 0:
        raise FlowError("data", "range() expects step to be non-zero")
    numbers = range(start, stop, step)
    if len(numbers) > _MAX_RANGE:
        raise FlowError("data", f"range() would make {len(numbers)} numbers (at most {_MAX_RANGE})")
    return list(numbers)


@builtin("zip")
def fl_zip(*lists: Any) -> list[list[Any]]:
    """Lists of the n-th items of each list, as long as the shortest."""
    checked = [_want_list("zip", items) for items in lists]
    return [list(row) for row in zip(*checked, strict=False)]


@builtin("keys")
def fl_keys(obj: Any) -> list[str]:
    return list(_want_object("keys", obj))


@builtin("values")
def fl_values(obj: Any) -> list[Any]:
    return list(_want_object("values", obj).values())


@builtin("entries")
def fl_entries(obj: Any) -> list[dict[str, Any]]:
    """`[{key, value}, …]` in the object's order."""
    return [{"key": k, "value": v} for k, v in _want_object("entries", obj).items()]


@builtin("from_entries")
def fl_from_entries(entries: Any) -> dict[str, Any]:
    """An object from `{key, value}` objects or `[key, value]` pairs; keys must be strings or numbers."""
    result: dict[str, Any] = {}
    for entry in _want_list("from_entries", entries):
        if type(entry) is dict and "key" in entry:
            k, v = entry["key"], entry.get("value")
        elif type(entry) is list and len(entry) == 2:
            k, v = entry
        else:
            raise _wrong_type("from_entries", "{key, value} objects or [key, value] pairs", entry)
        if type(k) is not str:
            if type(k) is not int and type(k) is not float:
                raise _wrong_type("from_entries", "string keys", k)
            k = to_text(k)
        result[k] = v
    return result


@builtin("merge")
def fl_merge(*objects: Any) -> dict[str, Any]:
    """A new object with the fields of each object in turn (later wins; shallow); nulls are skipped."""
    if len(objects) == 1 and type(objects[0]) is list:
        objects = tuple(objects[0])
    result: dict[str, Any] = {}
    for obj in objects:
        if obj is not None:
            result.update(_want_object("merge", obj))
    return result


@builtin("pick")
def fl_pick(obj: Any, keys: Any) -> dict[str, Any]:
    """Only the fields named in `keys`, in that order; absent fields are left out."""
    obj = _want_object("pick", obj, "obj")
    return {k: obj[k] for k in _want_strings("pick", keys, "keys") if k in obj}


@builtin("omit")
def fl_omit(obj: Any, keys: Any) -> dict[str, Any]:
    """Every field except those named in `keys`."""
    obj = _want_object("omit", obj, "obj")
    drop = set(_want_strings("omit", keys, "keys"))
    return {k: v for k, v in obj.items() if k not in drop}


@builtin("get")
def fl_get(value: Any, path: Any, default: Any = None) -> Any:
    """The value at `path` ("a.b[0].c", or a list of keys and indexes), or `default` when absent."""
    if type(path) is str:
        steps: tuple[str | int, ...] | list[Any] = _path_steps("get", path)
    elif type(path) is list:
        steps = path
    else:
        raise _wrong_type("get", "a string or a list", path, "path")
    return _follow(value, steps, default)
