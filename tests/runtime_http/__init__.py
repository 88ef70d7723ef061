"""Tests of the HTTP runtime (flowlang.runtime.http) against real servers on 127.0.0.1."""
