"""The builtin registry: flowlang name -> Python function and its signature."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BuiltinParam:
    name: str
    required: bool
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Builtin:
    """A builtin as the checker and the engines see it."""

    name: str
    fn: Callable[..., Any]
    params: tuple[BuiltinParam, ...]
    module: str

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if p.required)

    @property
    def max_args(self) -> int | None:
        """None when the builtin takes any number of positional arguments."""
        if any(p.variadic for p in self.params):
            return None
        return len(self.params)

    @property
    def takes_callable(self) -> bool:
        """Whether some parameter is a function (a lambda may be passed there)."""
        return any(p.name in ("fn", "key", "predicate") for p in self.params)


BUILTINS: dict[str, Builtin] = {}


def builtin(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn` as the flowlang builtin `name` (the Python name may differ: `fl_map`)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        params = []
        for p in inspect.signature(fn).parameters.values():
            variadic = p.kind is inspect.Parameter.VAR_POSITIONAL
            required = p.default is inspect.Parameter.empty and not variadic
            params.append(BuiltinParam(p.name, required, variadic))
        BUILTINS[name] = Builtin(name, fn, tuple(params), fn.__module__)
        return fn

    return register
