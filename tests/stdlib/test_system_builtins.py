"""env() and secret(): the run's environment, defaults, masking registration."""

from __future__ import annotations

from typing import Any

import pytest
from flowlang.stdlib import load_all

from flowlang.runtime.ambient import Ambient
from flowlang.runtime.errors import FlowError

BUILTINS = load_all()


def call(name: str, *args: Any, **named: Any) -> Any:
    return BUILTINS[name].fn(*args, **named)


def test_env_reads_the_ambient_environment() -> None:
    assert call("env", "SHOP_URL") == "https://shop.example.com"


def test_env_falls_back_to_the_default() -> None:
    assert call("env", "MISSING_URL", "http://localhost") == "http://localhost"


def test_env_with_an_explicit_null_default_gives_null() -> None:
    assert call("env", "MISSING_URL", None) is None


def test_env_keeps_an_empty_value() -> None:
    assert call("env", "EMPTY_VAR", "fallback") == ""


def test_env_without_default_is_an_input_error() -> None:
    with pytest.raises(FlowError) as caught:
        call("env", "MISSING_URL")
    assert caught.value.kind == "input"
    assert caught.value.message == "environment variable MISSING_URL is not set"
    assert caught.value.hint is not None


def test_secret_registers_its_value_for_masking(fixed_ambient: Ambient) -> None:
    assert call("secret", "SHOP_TOKEN") == "s3cr3t-token"
    assert "s3cr3t-token" in fixed_ambient.secrets


def test_env_does_not_register_a_secret(fixed_ambient: Ambient) -> None:
    call("env", "SHOP_TOKEN")
    assert fixed_ambient.secrets == set()


def test_an_empty_secret_is_not_registered(fixed_ambient: Ambient) -> None:
    assert call("secret", "EMPTY_VAR") == ""
    assert fixed_ambient.secrets == set()


def test_missing_secret_is_an_input_error() -> None:
    with pytest.raises(FlowError, match="MISSING_TOKEN is not set") as caught:
        call("secret", "MISSING_TOKEN")
    assert caught.value.kind == "input"


def test_env_name_must_be_a_string() -> None:
    with pytest.raises(FlowError, match=r"env\(\) expects name to be a string, got number"):
        call("env", 1)
