"""The flowlang grammar (flowlang.lark), shipped as package data."""
